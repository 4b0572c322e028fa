import { Hono } from 'hono';
import { sign } from 'hono/jwt';
import type { DemoToken } from '../../contract/demo.ts';

/** How long a demo token lasts: the profile page asks for a new one at each upload. */
const TOKEN_SECONDS = 15 * 60;

/**
 * `/api/demo`: the demo's sign-in, mounted only while the operator has set no `AUTH_SECRET` (the service then signs
 * with a secret made at startup). Anyone may change the demo user's picture, and only that one.
 */
export function demoRoutes({
  userId,
  secret,
  audience,
  now = Date.now,
}: {
  userId: string;
  secret: string;
  audience?: string;
  now?: () => number;
}) {
  return new Hono().get('/token', async (c) => {
    const issuedAt = Math.floor(now() / 1000);
    // For this service's audience when it has one (AUTH_AUDIENCE), or the service would refuse its own demo token.
    const claims = { sub: userId, iat: issuedAt, exp: issuedAt + TOKEN_SECONDS, ...(audience && { aud: audience }) };
    const token = await sign(claims, secret, 'HS256');
    return c.json<DemoToken>({ userId, token, expiresAt: (issuedAt + TOKEN_SECONDS) * 1000 }, 200, {
      'Cache-Control': 'no-store',
    });
  });
}
