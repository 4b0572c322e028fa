// The core through `app.request()`: no server, the real memory cache and file storage. What needs Redis, S3 or a
// running server is in node.test.ts, deno.test.ts and system/resilience.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { ErrorBody, PictureBatch, PictureMeta } from '../contract/picture.ts';
import { until } from '../scripts/testing/wait.ts';
import { createApp, type AppDeps } from './app.ts';
import { createMemoryCache, createMemoryEventBus } from './cache/memory.ts';
import { DEFAULT_MAX_STORAGE_READS } from './config.ts';
import { MAX_BATCH } from './routes/lookups.ts';
import { toAsset } from './routes/assets.ts';
import { createFileStorage } from './storage/files.ts';
import { WHOLE_COPY_BYTES, type PictureStorage } from './storage/storage.ts';
import { noisyPng, solidPng } from './testing/images.ts';
import { admin, TEST_ADMIN_TOKEN } from './testing/tokens.ts';

describe('createApp core', () => {
  let dir: string;
  let clock: number;
  let storage: PictureStorage;
  let reads: number;
  /** Holds `current()` until released, to interleave a slow storage read with an upload. */
  let gate: Promise<void> | undefined;
  /** How many reads have reached a gate set at the time. */
  let held: number;

  const build = (extra: Partial<AppDeps> = {}) =>
    createApp({
      cache: createMemoryCache({ now: () => clock }),
      storage,
      events: createMemoryEventBus(),
      auth: { adminToken: TEST_ADMIN_TOKEN },
      now: () => clock,
      log: { warn() {}, error() {} },
      ...extra,
    });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pictures-core-'));
    clock = Date.now();
    reads = 0;
    gate = undefined;
    held = 0;
    const files = createFileStorage({ dir });
    // The real file storage, with its reads counted (and held at a gate when a test sets one).
    storage = {
      ...files,
      kind: files.kind,
      async current(userId) {
        reads++;
        const answer = await files.current(userId);
        if (gate) held++;
        await gate;
        return answer;
      },
    };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /**
   * Counts the storage's `method` calls from now on (for the apps built after), each holding its place until the
   * next turn of the event loop, so every call the service lets start at once overlaps the others.
   */
  function overlapping(method: 'current' | 'read') {
    const counted = storage;
    const seen = { count: 0, active: 0, peak: 0 };
    const call = counted[method] as (...args: unknown[]) => Promise<unknown>;
    storage = {
      ...counted,
      kind: counted.kind,
      [method]: async (...args: unknown[]) => {
        seen.count++;
        seen.peak = Math.max(seen.peak, ++seen.active);
        try {
          await new Promise((resolve) => setImmediate(resolve));
          return await call.apply(counted, args);
        } finally {
          seen.active--;
        }
      },
    };
    return seen;
  }

  /** Uploads `body` as the user's picture through an app of its own; answers the lookup's metadata. */
  async function seed(userId: string, body: Uint8Array<ArrayBuffer>): Promise<PictureMeta> {
    const res = await build().request(`/api/pictures/${userId}`, { method: 'PUT', body, headers: admin });
    assert.equal(res.status, 201);
    return (await res.json()) as PictureMeta;
  }

  /** The path of a URL a lookup answered. */
  const pathOf = (url: string) => new URL(url, 'http://service').pathname;

  /** Gives users `u0`… a small picture each (one copy apiece); answers the paths of their copies. */
  async function copiesOf(users: number): Promise<string[]> {
    const paths: string[] = [];
    for (let i = 0; i < users; i++) {
      for (const variant of (await seed(`u${i}`, solidPng([i, i, i]))).variants) paths.push(pathOf(variant.url));
    }
    return paths;
  }

  test('200 concurrent misses for one user cause one storage read', async () => {
    const app = build();
    assert.equal(
      (await app.request('/api/pictures/ada', { method: 'PUT', body: solidPng([1, 1, 1]), headers: admin })).status,
      201,
    );
    const dropped = await app.request('/api/cache/ada', { method: 'DELETE', headers: admin });
    assert.equal(dropped.status, 204);
    reads = 0;
    const answers = await Promise.all([
      ...Array.from({ length: 100 }, () => app.request('/api/pictures/ada')),
      ...Array.from({ length: 100 }, () => app.request('/api/pictures?users=ada,grace')),
    ]);
    assert.ok(answers.every((r) => r.status === 200));
    assert.equal(reads, 2, 'one read for ada, one for grace, however many asked');
    assert.equal((await app.request('/api/pictures/ada')).headers.get('X-Cache'), 'HIT');
    assert.equal(reads, 2);
  });

  for (const bound of [undefined, 8]) {
    test(`a batch of ${MAX_BATCH} misses makes at most ${bound ?? 'DEFAULT_MAX_STORAGE_READS'} storage reads at a time, and answers every user`, async () => {
      const versions = new Map<string, string>();
      for (const [i, userId] of ['u0', 'u50', 'u99'].entries()) {
        versions.set(userId, (await seed(userId, solidPng([i, i, i]))).version);
      }
      const reads = overlapping('current');
      const app = build(bound ? { maxStorageReads: bound } : {}); // a cache of its own: every user is a miss
      const users = Array.from({ length: MAX_BATCH }, (_, i) => `u${i}`);
      const res = await app.request(`/api/pictures?users=${users.join(',')}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('X-Cache'), 'MISS');
      const { pictures } = (await res.json()) as PictureBatch;
      assert.deepEqual(Object.keys(pictures), users);
      for (const userId of users) assert.equal(pictures[userId]?.version ?? null, versions.get(userId) ?? null, userId);
      assert.equal(reads.peak, bound ?? DEFAULT_MAX_STORAGE_READS, 'the bound is reached, never passed');
    });
  }

  test('200 concurrent requests for a copy not yet read make one storage read, and each gets its bytes', async () => {
    const path = pathOf((await seed('ada', noisyPng(1))).variants[0]!.url);
    const expected = new Uint8Array(await (await build().request(path)).arrayBuffer());
    const reads = overlapping('read');
    const app = build(); // keeps no copy in memory: only the shared read saves the other 199
    const answers = await Promise.all(Array.from({ length: 200 }, () => app.request(path)));
    for (const res of answers) {
      assert.equal(res.status, 200);
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), expected);
    }
    assert.equal(reads.count, 1);
  });

  test('a failed copy read answers 503 to every request that waited for it, and the next request reads again', async () => {
    const path = pathOf((await seed('ada', noisyPng(2))).variants[0]!.url);
    const working = storage;
    let failing = true;
    storage = {
      ...working,
      kind: working.kind,
      async read(...args) {
        await new Promise((resolve) => setImmediate(resolve));
        if (failing) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
        return working.read(...args);
      },
    };
    const app = build();
    const answers = await Promise.all(Array.from({ length: 20 }, () => app.request(path)));
    for (const res of answers) {
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as ErrorBody).error.code, 'storage_unavailable');
    }
    failing = false;
    assert.equal((await app.request(path)).status, 200);
  });

  test('concurrent requests for a copy too large to read whole each stream all of it', async () => {
    const widest = (await seed('ada', noisyPng(5, 600))).variants.at(-1)!;
    assert.ok(widest.bytes > WHOLE_COPY_BYTES, `the ${widest.width}-px copy is ${widest.bytes} B`);
    const path = pathOf(widest.url);
    const expected = new Uint8Array(await (await build().request(path)).arrayBuffer());
    assert.equal(expected.byteLength, widest.bytes);
    const reads = overlapping('read');
    const app = build();
    const answers = await Promise.all(Array.from({ length: 20 }, () => app.request(path)));
    for (const res of answers) assert.deepEqual(new Uint8Array(await res.arrayBuffer()), expected);
    assert.equal(reads.count, 20, 'a stream is read once: each request reads its own');
  });

  test('requests for many copies at once make at most maxStorageReads storage reads at a time', async () => {
    const paths = await copiesOf(30);
    const reads = overlapping('read');
    const app = build({ maxStorageReads: 8 });
    const answers = await Promise.all(paths.map((path) => app.request(path)));
    assert.ok(answers.every((res) => res.status === 200));
    assert.equal(reads.count, paths.length);
    assert.equal(reads.peak, 8, 'the bound is reached, never passed');
  });

  test('copy reads held at their bound do not hold up a lookup that misses the cache', async () => {
    const paths = await copiesOf(8);
    const working = storage;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let waiting = 0;
    storage = {
      ...working,
      kind: working.kind,
      async read(...args) {
        waiting++;
        await held;
        return working.read(...args);
      },
    };
    const app = build({ maxStorageReads: 8 }); // a cache of its own: the lookup is a miss, a storage read
    const copies = Promise.all(paths.map((path) => app.request(path)));
    await until(() => waiting === 8, 'every copy read to be held');
    const lookup = await app.request('/api/pictures/u0');
    assert.equal(lookup.status, 200);
    assert.equal(lookup.headers.get('X-Cache'), 'MISS');
    release();
    assert.ok((await copies).every((res) => res.status === 200));
  });

  test('a storage read that started before an upload does not put the old picture back in the cache', async () => {
    const app = build();
    const first = (await (
      await app.request('/api/pictures/ada', { method: 'PUT', body: solidPng([1, 1, 1]), headers: admin })
    ).json()) as PictureMeta;
    await app.request('/api/cache/ada', { method: 'DELETE', headers: admin });
    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    const slow = app.request('/api/pictures/ada');
    await until(() => held === 1, 'the lookup to hold the old pointer');
    gate = undefined;
    const second = (await (
      await app.request('/api/pictures/ada', { method: 'PUT', body: solidPng([2, 2, 2]), headers: admin })
    ).json()) as PictureMeta;
    release();
    assert.equal(((await (await slow).json()) as PictureMeta).version, first.version);
    const now = (await (await app.request('/api/pictures/ada')).json()) as PictureMeta;
    assert.equal(now.version, second.version);
  });

  test('a cached lookup is dropped before its URL would expire', async () => {
    const app = build();
    const meta = (await (
      await app.request('/api/pictures/ada', { method: 'PUT', body: solidPng([3, 3, 3]), headers: admin })
    ).json()) as PictureMeta;
    assert.equal((await app.request('/api/pictures/ada')).headers.get('X-Cache'), 'HIT');
    clock += 49 * 60_000;
    assert.equal((await app.request('/api/pictures/ada')).headers.get('X-Cache'), 'HIT');
    clock += 2 * 60_000;
    const res = await app.request('/api/pictures/ada');
    assert.equal(res.headers.get('X-Cache'), 'MISS');
    const fresh = (await res.json()) as PictureMeta;
    assert.equal(fresh.version, meta.version);
    assert.ok(fresh.expiresAt > clock + 50 * 60_000, 'a fresh URL lifetime');
  });

  test('"no picture" is cached briefly, and an upload replaces it at once', async () => {
    const app = build();
    assert.equal((await app.request('/api/pictures/nobody')).status, 404);
    assert.equal((await app.request('/api/pictures/nobody')).headers.get('X-Cache'), 'HIT');
    assert.equal(reads, 1);
    await app.request('/api/pictures/nobody', { method: 'PUT', body: solidPng([4, 4, 4]), headers: admin });
    const { pictures } = (await (await app.request('/api/pictures?users=nobody')).json()) as PictureBatch;
    assert.equal(pictures.nobody?.userId, 'nobody');
  });

  test('a batch is answered in the order asked, duplicates once; URLs are paths, never built from the Host', async () => {
    const app = build();
    await app.request('/api/pictures/b', { method: 'PUT', body: solidPng([5, 5, 5]), headers: admin });
    const res = await app.request('http://pictures.example/api/pictures?users=c,b,c,a', {
      headers: { Host: 'evil.example' },
    });
    const { pictures } = (await res.json()) as PictureBatch;
    assert.deepEqual(Object.keys(pictures), ['c', 'b', 'a']);
    assert.equal(pictures.b?.url, `/images/b/${pictures.b?.version}/8.webp`);
    assert.equal(res.headers.get('X-Cache'), 'MISS');
  });

  test('with a public address configured, every URL starts with it, whatever the Host', async () => {
    const app = build({ publicUrl: 'https://img.example.com/pics' });
    const put = await app.request('/api/pictures/b', { method: 'PUT', body: solidPng([5, 5, 5]), headers: admin });
    const uploaded = (await put.json()) as PictureMeta;
    assert.equal(uploaded.url, `https://img.example.com/pics/images/b/${uploaded.version}/8.webp`);
    const res = await app.request('http://evil.example/api/pictures?users=b', { headers: { Host: 'evil.example' } });
    const { pictures } = (await res.json()) as PictureBatch;
    assert.deepEqual([pictures.b!.url, ...pictures.b!.variants.map((v) => v.url)], [uploaded.url, uploaded.url]);
  });

  test('`__proto__` is a user like any other: a batch answers it as an own entry, not the prototype', async () => {
    const res = await build().request('/api/pictures?users=__proto__,a');
    const text = await res.text();
    assert.equal(text, '{"pictures":{"__proto__":null,"a":null}}');
  });

  test('an upload whose body does not arrive within uploadTimeoutMs is answered 408 request_timeout, and nothing is stored', async () => {
    const app = build({ uploadTimeoutMs: 50 });
    // A body that sends a PNG's first bytes and then nothing more, as a stalled client would.
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(solidPng([7, 7, 7]).subarray(0, 8)),
    });
    const res = await app.request('/api/pictures/slow', {
      method: 'PUT',
      body,
      headers: admin,
      duplex: 'half',
    } as RequestInit);
    assert.equal(res.status, 408);
    const { error } = (await res.json()) as ErrorBody;
    assert.equal(error.code, 'request_timeout');
    assert.match(error.message, /UPLOAD_TIMEOUT_MS/);
    assert.equal((await app.request('/api/pictures/slow')).status, 404, 'nothing was stored');
  });

  test('an upload with no AUTH_SECRET configured refuses user tokens with a message naming it', async () => {
    const res = await build().request('/api/pictures/ada', {
      method: 'PUT',
      body: solidPng([6, 6, 6]),
      headers: { Authorization: 'Bearer a.b.c' },
    });
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /AUTH_SECRET/);
  });

  test("/healthz: a storage outage is 503 with the error's code; the log says its start and end once each", async () => {
    const logged: string[] = [];
    let failure: Error | undefined;
    const app = build({
      storage: {
        ...storage,
        kind: storage.kind,
        ping: async () => {
          if (failure) throw failure;
        },
      },
      log: { warn: (line: string) => logged.push(line), error() {} },
    });
    assert.equal((await app.request('/healthz')).status, 200);
    failure = Object.assign(new Error(`EACCES: permission denied, open '${dir}/current'`), { code: 'EACCES' });
    for (let i = 0; i < 3; i++) {
      const res = await app.request('/healthz');
      assert.equal(res.status, 503);
      assert.deepEqual((await res.json()).storage, { kind: 'files', ok: false, error: 'EACCES' });
    }
    failure = new Error('something without a code');
    assert.equal(
      ((await (await app.request('/healthz')).json()).storage as { error: string }).error,
      "unreachable (the service's log says why)",
    );
    failure = undefined;
    assert.equal((await app.request('/healthz')).status, 200);
    assert.equal((await app.request('/healthz')).status, 200);
    assert.deepEqual(logged, [
      `[health] the storage (files) is unwell: EACCES: permission denied, open '${dir}/current'`,
      '[health] the storage (files) is well again',
    ]);
  });

  test('CORS_ORIGINS as a list: a listed origin is echoed (with Vary), any other gets no CORS header', async () => {
    const app = createApp({
      cache: createMemoryCache(),
      storage,
      events: createMemoryEventBus(),
      auth: {},
      corsOrigins: ['https://site.example'],
      log: { warn() {}, error() {} },
    });
    const listed = await app.request('/api/pictures?users=a', { headers: { Origin: 'https://site.example' } });
    assert.equal(listed.headers.get('Access-Control-Allow-Origin'), 'https://site.example');
    assert.equal(listed.headers.get('Vary'), 'Origin');
    const other = await app.request('/api/pictures?users=a', { headers: { Origin: 'https://evil.example' } });
    assert.equal(other.status, 200);
    assert.equal(other.headers.get('Access-Control-Allow-Origin'), null);
    const preflight = await app.request('/api/pictures/a', {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'PUT' },
    });
    assert.equal(preflight.headers.get('Access-Control-Allow-Methods'), null);
  });

  test('Timing-Allow-Origin names the CORS origins on pictures and lookups, as an <img> sends no Origin', async () => {
    const listed = build({ corsOrigins: ['https://site.example', 'https://other.example'] });
    const meta = (await (
      await listed.request('/api/pictures/tao', {
        method: 'PUT',
        body: solidPng([1, 2, 3]),
        headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      })
    ).json()) as PictureMeta;
    const image = await listed.request(meta.url);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('Timing-Allow-Origin'), 'https://site.example, https://other.example');
    assert.equal(
      (await listed.request('/api/pictures/tao')).headers.get('Timing-Allow-Origin'),
      'https://site.example, https://other.example',
    );
    const open = await build().request('/api/pictures?users=tao');
    assert.equal(open.headers.get('Timing-Allow-Origin'), '*', 'CORS_ORIGINS=* (the default): any page');
  });

  test('a change whose cache write failed is not answered from the cache later', async () => {
    // The real memory cache, with writes failing while `down` is set: a Redis that is unreachable during the
    // upload but comes back with its old data (persistence) cannot be made with the test's Redis, which keeps nothing.
    const real = createMemoryCache({ now: () => clock });
    let down = false;
    const cache = {
      ...real,
      kind: real.kind,
      set: (...args: Parameters<typeof real.set>) => (down ? Promise.reject(new Error('down')) : real.set(...args)),
    };
    const app = createApp({
      cache,
      storage,
      events: createMemoryEventBus(),
      auth: { adminToken: TEST_ADMIN_TOKEN },
      now: () => clock,
      log: { warn() {}, error() {} },
    });
    const first = (await (
      await app.request('/api/pictures/ada', { method: 'PUT', body: solidPng([1, 1, 1]), headers: admin })
    ).json()) as PictureMeta;
    assert.equal(((await (await app.request('/api/pictures/ada')).json()) as PictureMeta).version, first.version);
    down = true;
    const second = (await (
      await app.request('/api/pictures/ada', { method: 'PUT', body: solidPng([2, 2, 2]), headers: admin })
    ).json()) as PictureMeta;
    down = false;
    for (let i = 0; i < 2; i++) {
      const now = (await (await app.request('/api/pictures/ada')).json()) as PictureMeta;
      assert.equal(now.version, second.version, 'never the replaced picture');
    }
    assert.equal((await app.request('/api/pictures/ada')).headers.get('X-Cache'), 'HIT', 'and the cache is used again');
  });

  test('assets are served at the root with an ETag, and 304 when unchanged', async () => {
    const script = new TextEncoder().encode('export {};');
    const assets = new Map([['cached-profile-picture.js', await toAsset(script, 'text/javascript; charset=utf-8')]]);
    const app = createApp({ cache: createMemoryCache(), storage, events: createMemoryEventBus(), auth: {}, assets });
    const res = await app.request('/cached-profile-picture.js');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Content-Type'), 'text/javascript; charset=utf-8');
    assert.equal(await res.text(), 'export {};');
    const again = await app.request('/cached-profile-picture.js', {
      headers: { 'If-None-Match': res.headers.get('ETag')! },
    });
    assert.equal(again.status, 304);
    assert.equal((await app.request('/other.js')).status, 404);
  });
});
