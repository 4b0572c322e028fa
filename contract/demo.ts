/** The wire type of the demo's sign-in route, shared by the image service and the demo site. Imports nothing. */

/** What `GET /api/demo/token` answers (only while the operator has set no `AUTH_SECRET`). */
export interface DemoToken {
  userId: string;
  /** `Authorization: Bearer <token>` uploads `userId`'s picture, and no one else's. */
  token: string;
  /** In milliseconds since the epoch. */
  expiresAt: number;
}
