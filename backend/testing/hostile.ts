/**
 * Hostile requests for property-based tests (fast-check): random and mutated ids, tokens, headers, images, multipart
 * bodies and query strings aimed at every route, and the checks every answer must pass. Test code only.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decompressionBombs, fixture } from '../upload/fixtures.ts';
import { solidPng } from './images.ts';
import { sign } from 'hono/jwt';
import { TEST_ADMIN_TOKEN, TEST_SECRET, unsignedToken, userToken } from './tokens.ts';

/** A request as plain data, so fast-check can shrink it and print it. */
export interface HostileRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array<ArrayBuffer>;
}

/**
 * Tokens worth mutating: the three good ones first (ada's, grace's, the operator's), then each way a token can be
 * wrong. Made once, since signing is async.
 */
export async function tokenPool(): Promise<string[]> {
  const now = Math.floor(Date.now() / 1000);
  return [
    await userToken('ada'),
    await userToken('grace'),
    TEST_ADMIN_TOKEN,
    unsignedToken('ada'),
    await userToken('ada', { expiresIn: -60 }),
    await userToken('ada', { secret: 'another-secret-0123456789abcdef0123456789' }),
    await sign({ sub: 'ada', aud: 'another-service', exp: now + 3600 }, TEST_SECRET, 'HS256'),
    // Past the service's 8 KiB token limit, within Node's 16 KiB of headers.
    await sign({ sub: 'ada', exp: now + 3600, padding: 'x'.repeat(7_000) }, TEST_SECRET, 'HS256'),
    await sign({ sub: ['ada'], exp: now + 3600 }, TEST_SECRET, 'HS256'),
    await sign({ sub: 'ada', exp: now + 3600 }, TEST_SECRET, 'HS512'),
  ];
}

/** Images worth mutating: every accepted format, metadata-laden ones, bombs, and things that only look like images. */
const seeds: Uint8Array[] = [
  ...[
    'photo-gps.jpg',
    'photo-plain.png',
    'photo-gps.png',
    'animated-gps.gif',
    'photo-gps.webp',
    'lossless-plain.webp',
    'photo-gps.avif',
    'photo.heic',
  ].map(fixture),
  ...Object.values(decompressionBombs()),
  solidPng([1, 2, 3]),
  new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
];

/** A seed image, then cut short, bit-flipped, spliced with random bytes, or replaced by random bytes. */
export const imageBytes: fc.Arbitrary<Uint8Array<ArrayBuffer>> = fc.oneof(
  fc.constantFrom(...seeds).map((b) => b.slice()),
  fc.tuple(fc.constantFrom(...seeds), fc.nat()).map(([b, n]) => b.slice(0, n % (b.length + 1))),
  fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
    )
    .map(([b, flips]) => {
      const out = b.slice();
      for (const [at, value] of flips) out[at % out.length] = value;
      return out;
    }),
  fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.uint8Array({ maxLength: 64 })).map(([b, at, junk]) => {
    const cut = at % (b.length + 1);
    const out = new Uint8Array(b.length + junk.length);
    out.set(b.subarray(0, cut));
    out.set(junk, cut);
    out.set(b.subarray(cut), cut + junk.length);
    return out;
  }),
  fc.uint8Array({ maxLength: 512 }).map((b) => b.slice()),
);

/**
 * User ids: mostly the users the tokens name (so requests get past the checks), then nearly valid, traversal, encoded,
 * long, any Unicode.
 */
const userId = fc.oneof(
  { arbitrary: fc.constantFrom('ada', 'grace'), weight: 4 },
  fc.constantFrom(
    'nobody',
    '..',
    '.',
    '%2e%2e',
    '..%2f..%2fetc%2fpasswd',
    'a/b',
    'x'.repeat(65),
    'ädä',
    'a b',
    '%00',
    'constructor',
    '__proto__',
  ),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
  fc.string({ unit: 'binary', maxLength: 80 }).map(encodeURIComponent),
  fc.string({ maxLength: 20 }),
);

const version = fc.oneof(fc.stringMatching(/^[0-9a-f]{32}$/), fc.string({ maxLength: 40 }).map(encodeURIComponent));

/** Header values a client can send: visible ASCII and spaces. */
const headerValue = fc.string({ maxLength: 120 }).map((s) => s.replace(/[^\x20-\x7e]/g, '').trim());

const headers = fc.dictionary(
  fc.constantFrom(
    'Content-Type',
    'If-None-Match',
    'Origin',
    'Accept',
    'Access-Control-Request-Method',
    'Access-Control-Request-Headers',
    'X-Forwarded-Host',
    'Range',
    'Cookie',
    'X-Random',
  ),
  fc.oneof(
    headerValue,
    fc.constantFrom('multipart/form-data', 'multipart/form-data; boundary=', 'image/svg+xml', '*', 'W/"x"', 'null'),
  ),
  { maxKeys: 4 },
);

/**
 * `Authorization` values: a pooled token as is (most often), with one character changed, cut, or something else
 * entirely.
 */
function authorization(tokens: string[]) {
  const token = fc.oneof(
    { arbitrary: fc.constantFrom(...tokens.slice(0, 3)), weight: 8 },
    fc.constantFrom(...tokens),
    fc.tuple(fc.constantFrom(...tokens), fc.nat(), fc.constantFrom('A', '.', '-', '_', '=', '0')).map(([t, at, c]) => {
      const i = at % t.length;
      return t.slice(0, i) + c + t.slice(i + 1);
    }),
    fc.tuple(fc.constantFrom(...tokens), fc.nat()).map(([t, n]) => t.slice(0, n % (t.length + 1))),
    headerValue,
  );
  return fc.oneof(
    { arbitrary: token.map((t) => `Bearer ${t}`), weight: 4 },
    token.map((t) => `bearer  ${t}`),
    headerValue,
    fc.constant('Basic YWRhOmFkYQ=='),
  );
}

/** A multipart body around an image: right, or with its field, boundary, headers or ending wrong. */
const multipart = fc
  .record({
    boundary: fc.oneof(fc.constant('xyz123'), fc.stringMatching(/^[A-Za-z0-9'()+_,-./:=?]{1,70}$/)),
    declared: fc.option(fc.constantFrom('other', ''), { nil: undefined }),
    field: fc.constantFrom('file', 'file', 'other', 'FILE', 'file"; filename="x'),
    filename: fc.constantFrom('me.png', '../../etc/passwd', '', 'x.svg'),
    type: fc.constantFrom('image/png', 'image/svg+xml', 'text/plain', ''),
    image: imageBytes,
    end: fc.constantFrom('--\r\n', '--', '', '\r\n'),
  })
  .map(({ boundary, declared, field, filename, type, image, end }) => {
    const head = new TextEncoder().encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\n${type ? `Content-Type: ${type}\r\n` : ''}\r\n`,
    );
    const tail = new TextEncoder().encode(`\r\n--${boundary}${end}`);
    const body = new Uint8Array(head.length + image.length + tail.length);
    body.set(head);
    body.set(image, head.length);
    body.set(tail, head.length + image.length);
    return { body, contentType: `multipart/form-data; boundary=${declared ?? boundary}` };
  });

/** Query strings for the batch lookup: lists of ids (some too long), repeated or odd parameters. */
const batchQuery = fc.oneof(
  fc.array(userId, { maxLength: 120 }).map((ids) => `users=${ids.join(',')}`),
  fc
    .array(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), { minLength: 90, maxLength: 110 })
    .map((ids) => `users=${ids.join(',')}`),
  fc.webQueryParameters(),
  fc.array(userId, { maxLength: 5 }).map((ids) => ids.map((id) => `users=${id}`).join('&')),
);

/** Every route, with hostile parts, and now and then a method or path no route has. */
export function hostileRequests(tokens: string[]): fc.Arbitrary<HostileRequest> {
  const withAuth = fc
    .record({ extra: headers, auth: fc.option(authorization(tokens), { nil: undefined }) })
    .map(({ extra, auth }) => (auth === undefined ? extra : { ...extra, Authorization: auth }));
  return fc.oneof(
    fc
      .record({ id: userId, h: headers })
      .map(({ id, h }) => ({ method: 'GET', path: `/api/pictures/${id}`, headers: h })),
    fc
      .record({ q: batchQuery, h: headers })
      .map(({ q, h }) => ({ method: 'GET', path: `/api/pictures?${q}`, headers: h })),
    fc
      .record({ id: userId, h: withAuth, body: imageBytes })
      .map(({ id, h, body }) => ({ method: 'PUT', path: `/api/pictures/${id}`, headers: h, body })),
    fc.record({ id: userId, h: withAuth, form: multipart }).map(({ id, h, form }) => ({
      method: 'PUT',
      path: `/api/pictures/${id}`,
      headers: { ...h, 'Content-Type': form.contentType },
      body: form.body,
    })),
    fc
      .record({ id: userId, h: withAuth })
      .map(({ id, h }) => ({ method: 'DELETE', path: `/api/pictures/${id}`, headers: h })),
    fc
      .record({ m: fc.constantFrom('GET', 'HEAD'), id: userId, v: version, h: headers })
      .map(({ m, id, v, h }) => ({ method: m, path: `/images/${id}/${v}`, headers: h })),
    fc
      .record({ id: userId, h: withAuth })
      .map(({ id, h }) => ({ method: 'DELETE', path: `/api/cache/${id}`, headers: h })),
    fc
      .record({
        p: fc.constantFrom('/api/cache/stats', '/healthz', '/api/events', '/', '/cached-profile-picture.js'),
        h: headers,
      })
      .map(({ p, h }) => ({ method: 'GET', path: p, headers: h })),
    fc
      .record({
        m: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
        p: fc.webPath(),
        q: fc.option(fc.webQueryParameters(), { nil: undefined }),
        h: withAuth,
        body: fc.option(imageBytes, { nil: undefined }),
      })
      .map(({ m, p, q, h, body }) => ({
        method: m,
        path: `${p.startsWith('/') ? p : `/${p}`}${q === undefined ? '' : `?${q}`}`,
        headers: h,
        body: m === 'GET' || m === 'HEAD' ? undefined : body,
      })),
  );
}

/** Whether `fetch` would refuse to send these headers, so the run skips the case rather than the client throwing. */
export function sendable(request: HostileRequest): boolean {
  try {
    new Headers(request.headers);
    return true;
  } catch {
    return false;
  }
}

/**
 * What an answer must never show: `paths` on this machine (the checkout, the data directory), a module's, or a stack
 * frame. Not any slash-separated text: error messages echo the caller's own path and ids, which are no leak.
 */
export function assertNoLeak(text: string, paths: string[]): void {
  for (const path of [...paths, 'node_modules'])
    assert.ok(!text.includes(path), `the answer shows ${JSON.stringify(path)}: ${text.slice(0, 300)}`);
  assert.doesNotMatch(text, /(?:\n|\\n)\s+at \S|\.[cm]?[jt]s:\d+:\d+/, `no stack trace: ${text.slice(0, 300)}`);
}

/** Every answer: never a 5xx; an error is the service's JSON error body; nothing leaks. */
export async function checkAnswer(request: HostileRequest, res: Response, paths: string[]): Promise<void> {
  const what = `${request.method} ${request.path.slice(0, 200)} → ${res.status}`;
  assert.ok(res.status < 500, what);
  if (request.path.startsWith('/api/events') && res.status === 200) {
    await res.body?.cancel();
    return;
  }
  const text = await res.text();
  assertNoLeak(text, paths);
  // 431 comes from the HTTP server itself, before the service sees the request: it has no body of the service's.
  if (res.status >= 400 && res.status !== 431 && request.method !== 'HEAD') {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    assert.equal(typeof body.error?.code, 'string', what);
    assert.equal(typeof body.error?.message, 'string', what);
  }
}
