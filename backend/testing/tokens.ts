import { sign } from 'hono/jwt';

/** The secrets the tests run the service with. */
export const TEST_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';
/** At least 32 characters, as the service requires of `ADMIN_TOKEN`. */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';
/** The operator's header, for uploads and dropping cache entries. */
export const admin = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/**
 * A user token as a site's login would issue it: HS256, `sub` = the user, `iat` now, `exp` an hour later (or
 * `expiresIn` seconds). `claims` are added or replace those (`{ exp: undefined }` leaves `exp` out).
 */
export function userToken(
  userId: string,
  options: { secret?: string; expiresIn?: number; claims?: Record<string, unknown> } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: userId, iat: now, exp: now + (options.expiresIn ?? 3600), ...options.claims };
  return sign(claims as Parameters<typeof sign>[0], options.secret ?? TEST_SECRET, 'HS256');
}

/** A token that claims `alg: none` and carries no signature, which must never be accepted. */
export function unsignedToken(userId: string): string {
  const part = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: userId, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
}
