// User tokens through `app.request()`: `exp` is required and bounded, and a refusal says what is wrong without
// repeating the token, the secret or the configured audience.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sign } from 'hono/jwt';
import type { ErrorBody } from '../contract/picture.ts';
import type { DemoToken } from '../contract/demo.ts';
import { createApp, type AppDeps } from './app.ts';
import { DEFAULT_MAX_TOKEN_LIFETIME_S, type AuthOptions } from './auth.ts';
import { createMemoryCache, createMemoryEventBus } from './cache/memory.ts';
import { createFileStorage } from './storage/files.ts';
import { solidPng } from './testing/images.ts';
import { TEST_SECRET, unsignedToken, userToken } from './testing/tokens.ts';

const AUDIENCE = 'pictures.internal.example';
const HOUR = 3600;
const DAY = 24 * HOUR;
const nowS = () => Math.floor(Date.now() / 1000);

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pictures-auth-'));
});
after(() => rm(dir, { recursive: true, force: true }));

function app(auth: AuthOptions = { secret: TEST_SECRET }, extra: Partial<AppDeps> = {}) {
  return createApp({
    cache: createMemoryCache(),
    storage: createFileStorage({ dir }),
    events: createMemoryEventBus(),
    auth,
    log: { warn() {}, error() {} },
    ...extra,
  });
}

async function put(service: ReturnType<typeof app>, token: string, userId = 'ada') {
  const res = await service.request(`/api/pictures/${userId}`, {
    method: 'PUT',
    body: solidPng([4, 5, 6]),
    headers: { Authorization: `Bearer ${token}` },
  });
  const text = await res.text();
  return { status: res.status, text, message: res.ok ? '' : (JSON.parse(text) as ErrorBody).error.message };
}

describe('token lifetime', () => {
  test('the default maximum is 24 hours', () => {
    assert.equal(DEFAULT_MAX_TOKEN_LIFETIME_S, DAY);
  });

  test('a token without exp is refused, saying it never expires and what to do', async () => {
    const token = await userToken('ada', { claims: { exp: undefined } });
    const answer = await put(app(), token);
    assert.equal(answer.status, 401, answer.text);
    assert.match(answer.message, /never expires \(no exp\).*exp at most 86400 s/);
  });

  test('a token that lasts longer than the maximum is refused; one within it is taken', async () => {
    const service = app();
    const now = nowS();
    const long = await put(service, await userToken('ada', { claims: { iat: now, exp: now + 2 * DAY } }));
    assert.equal(long.status, 401, long.text);
    assert.match(
      long.message,
      /lasts 172800 s, longer than this service's maximum of 86400 s \(MAX_TOKEN_LIFETIME_S\)/,
    );
    // Without iat, the lifetime counts from now.
    assert.equal(
      (await put(service, await userToken('ada', { claims: { iat: undefined, exp: now + DAY + 60 } }))).status,
      401,
    );
    // Issued an hour ago for 24 h and 1 min: still too long, though less than a day remains.
    assert.equal(
      (await put(service, await userToken('ada', { claims: { iat: now - HOUR, exp: now - HOUR + DAY + 60 } }))).status,
      401,
    );
    assert.equal((await put(service, await userToken('ada', { claims: { iat: now, exp: now + DAY } }))).status, 201);
    assert.equal((await put(service, await userToken('ada'))).status, 201, "the test helper's hour-long token");
  });

  test("the maximum is the operator's to set", async () => {
    const now = nowS();
    const week = await userToken('ada', { claims: { iat: now, exp: now + 7 * DAY } });
    assert.equal((await put(app({ secret: TEST_SECRET }), week)).status, 401);
    assert.equal((await put(app({ secret: TEST_SECRET, maxTokenLifetimeS: 7 * DAY }), week)).status, 201);
    const short = await put(app({ secret: TEST_SECRET, maxTokenLifetimeS: 60 }), await userToken('ada'));
    assert.equal(short.status, 401);
    assert.match(short.message, /maximum of 60 s/);
  });

  test("the demo's sign-in issues tokens that carry exp within the maximum, and are taken", async () => {
    for (const auth of [
      { secret: TEST_SECRET },
      { secret: TEST_SECRET, audience: AUDIENCE },
      { secret: TEST_SECRET, maxTokenLifetimeS: 15 * 60 },
    ]) {
      const service = app(auth, { demoUser: 'sam' });
      const res = await service.request('/api/demo/token');
      assert.equal(res.status, 200);
      const { token, expiresAt } = (await res.json()) as DemoToken;
      const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
        exp?: number;
        iat?: number;
      };
      assert.equal(typeof claims.exp, 'number');
      assert.ok(claims.exp! - claims.iat! <= DEFAULT_MAX_TOKEN_LIFETIME_S);
      assert.equal(claims.exp! * 1000, expiresAt);
      const answer = await put(service, token, 'sam');
      assert.equal(answer.status, 201, answer.text);
    }
  });
});

describe('token refusals say what is wrong, and repeat no secret', () => {
  test('each bad token gets its reason, and the body holds neither the token, its parts, the secret nor the audience', async () => {
    const now = nowS();
    const claims = (extra: Record<string, unknown>) => ({ sub: 'ada', iat: now, exp: now + HOUR, ...extra });
    const otherSecret = 'another-secret-0123456789abcdef0123456789';
    const cases: [string, string, RegExp][] = [
      ['not a JWT', 'not.a.token', /not a well-formed JWT/],
      ['two parts', 'eyJoZWFkZXIiOjF9.c2VjcmV0LXBheWxvYWQ', /not a well-formed JWT/],
      ['bad signature', await sign(claims({ aud: AUDIENCE }), otherSecret, 'HS256'), /signature does not match/],
      ['alg none', unsignedToken('ada'), /names no algorithm this service knows \(alg\).*HS256/],
      ['HS512', await sign(claims({}), TEST_SECRET, 'HS512'), /not signed with HS256/],
      ['expired', await userToken('ada', { expiresIn: -60 }), /has expired; get a new one/],
      ['not yet valid', await sign(claims({ nbf: now + HOUR }), TEST_SECRET, 'HS256'), /not valid yet/],
      [
        'issued in the future',
        await sign(claims({ iat: now + HOUR, exp: now + 2 * HOUR }), TEST_SECRET, 'HS256'),
        /issued in the future/,
      ],
      ['no audience', await sign(claims({}), TEST_SECRET, 'HS256'), /names no audience \(aud\).*AUTH_AUDIENCE/],
      [
        'another audience',
        await sign(claims({ aud: 'another-service' }), TEST_SECRET, 'HS256'),
        /another audience \(aud\).*AUTH_AUDIENCE/,
      ],
      ['no exp', await sign({ sub: 'ada', iat: now, aud: AUDIENCE }, TEST_SECRET, 'HS256'), /never expires/],
      [
        'too long',
        await sign(claims({ exp: now + 30 * DAY, aud: AUDIENCE }), TEST_SECRET, 'HS256'),
        /longer than this service's maximum/,
      ],
    ];
    const service = app({ secret: TEST_SECRET, audience: AUDIENCE });
    for (const [name, token, reason] of cases) {
      const answer = await put(service, token);
      assert.equal(answer.status, 401, `${name}: ${answer.text}`);
      assert.match(answer.message, reason, name);
      for (const secret of [token, ...token.split('.').filter((part) => part.length > 8), TEST_SECRET, AUDIENCE]) {
        assert.ok(
          !answer.text.includes(secret),
          `${name}: the answer repeats ${JSON.stringify(secret.slice(0, 20))}…: ${answer.text}`,
        );
      }
    }
  });
});
