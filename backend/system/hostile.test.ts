// Hostile input: random and mutated requests at every route (fast-check), through `app.request()` with the real
// memory cache and file storage and, shorter, against the running service; decompression bombs of every accepted
// format; tokens for another audience or with a huge payload.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { sign } from 'hono/jwt';
import type { PictureMeta } from '../../contract/picture.ts';
import { createApp, type AppDeps } from '../app.ts';
import { createMemoryCache, createMemoryEventBus } from '../cache/memory.ts';
import { createFileStorage } from '../storage/files.ts';
import type { PictureStorage } from '../storage/storage.ts';
import { checkAnswer, hostileRequests, sendable, tokenPool, type HostileRequest } from '../testing/hostile.ts';
import { solidPng } from '../testing/images.ts';
import { startEmbedded } from '../testing/stack.ts';
import { admin, TEST_ADMIN_TOKEN, TEST_SECRET, userToken } from '../testing/tokens.ts';
import { decompressionBombs, fixture } from '../upload/fixtures.ts';

const root = new URL('../../', import.meta.url).pathname;

/** Every file under `dir` (but the health check's passing probe) with its size. */
async function snapshot(dir: string): Promise<Record<string, number>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries
    .filter((e) => e.isFile() && !e.name.startsWith('.ping-'))
    .map((e) => join(e.parentPath, e.name));
  return Object.fromEntries(await Promise.all(files.map(async (path) => [path, (await stat(path)).size] as const)));
}

/** Every stored picture's bytes belong to some user's current picture: no request left an object behind. */
async function assertNoOrphans(dir: string): Promise<void> {
  for (const userId of await readdir(join(dir, 'objects')).catch(() => [] as string[])) {
    const versions = (await readdir(join(dir, 'objects', userId))).filter((name) => !name.startsWith('.'));
    const pointer = JSON.parse(await readFile(join(dir, 'current', `${userId}.json`), 'utf8').catch(() => '{}')) as {
      version?: string;
    };
    assert.deepEqual(versions, pointer.version ? [pointer.version] : [], `${userId}'s objects`);
  }
}

/**
 * The core on the real memory cache and file storage in a fresh directory, counting storage writes and logged errors.
 */
async function core(overrides: Partial<AppDeps> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'pictures-hostile-'));
  const files = createFileStorage({ dir });
  const counts = { writes: 0, errors: [] as unknown[] };
  const storage: PictureStorage = {
    ...files,
    kind: files.kind,
    put: (...args) => {
      counts.writes++;
      return files.put(...args);
    },
    remove: (...args) => {
      counts.writes++;
      return files.remove(...args);
    },
  };
  const app = createApp({
    cache: createMemoryCache(),
    storage,
    events: createMemoryEventBus(),
    auth: { secret: TEST_SECRET, adminToken: TEST_ADMIN_TOKEN },
    maxUploadBytes: 64 * 1024,
    log: { warn() {}, error: (...args: unknown[]) => counts.errors.push(args) },
    ...overrides,
  });
  return { app, dir, counts, dispose: () => rm(dir, { recursive: true, force: true }) };
}

const init = (r: HostileRequest): RequestInit => ({ method: r.method, headers: r.headers, body: r.body });

describe('hostile input', () => {
  test('fuzz through app.request: never a 5xx, never a stored object from a refused request, never a path or a stack', async () => {
    const { app, dir, counts, dispose } = await core();
    try {
      for (const userId of ['ada', 'grace']) {
        assert.equal(
          (await app.request(`/api/pictures/${userId}`, { method: 'PUT', body: solidPng([1, 2, 3]), headers: admin }))
            .status,
          201,
        );
      }
      const tokens = await tokenPool();
      await fc.assert(
        fc.asyncProperty(hostileRequests(tokens), async (r) => {
          fc.pre(sendable(r));
          const writes = counts.writes;
          const res = await app.request(r.path, init(r));
          await checkAnswer(r, res, [root, dir]);
          if (counts.writes > writes)
            assert.ok(
              res.status === 201 || res.status === 204,
              `${r.method} ${r.path} wrote to the storage and answered ${res.status}`,
            );
          assert.deepEqual(counts.errors, [], 'nothing was logged as an internal error');
        }),
        { numRuns: 3_000 },
      );
      await assertNoOrphans(dir);
    } finally {
      await dispose();
    }
  });

  test('fuzz against the running service (Node, memory and files): the same, over HTTP', async () => {
    const target = await startEmbedded('node');
    try {
      const tokens = await tokenPool();
      assert.equal(
        (await fetch(`${target.base}/api/pictures/ada`, { method: 'PUT', body: solidPng([4, 5, 6]), headers: admin }))
          .status,
        201,
      );
      await fc.assert(
        fc.asyncProperty(hostileRequests(tokens), async (r) => {
          fc.pre(sendable(r));
          const before = await snapshot(target.dataDir);
          const res = await fetch(`${target.base}${r.path}`, init(r));
          await checkAnswer(r, res, [root, target.dataDir]);
          if (res.status !== 201 && res.status !== 204)
            assert.deepEqual(
              await snapshot(target.dataDir),
              before,
              `${r.method} ${r.path} → ${res.status} changed the storage`,
            );
        }),
        { numRuns: 500 },
      );
      await assertNoOrphans(target.dataDir);
      assert.doesNotMatch(
        target.service.output(),
        /failed:|Internal error/,
        'no request was logged as an internal error',
      );
    } finally {
      await target.stop();
    }
  });

  test('decompression bombs of every accepted format are refused (413) from their headers, raw or multipart, and nothing is stored', async () => {
    const { app, dir, counts, dispose } = await core();
    try {
      for (const [format, bomb] of Object.entries(decompressionBombs())) {
        const form = new FormData();
        form.append('file', new Blob([bomb.slice()]), `bomb.${format}`);
        for (const body of [bomb.slice(), form]) {
          const res = await app.request('/api/pictures/ada', { method: 'PUT', body, headers: admin });
          assert.equal(res.status, 413, format);
          const { error } = (await res.json()) as { error: { code: string; message: string } };
          assert.equal(error.code, 'payload_too_large');
          assert.match(error.message, /pixels.*MAX_IMAGE_PIXELS/, format);
        }
      }
      assert.equal(counts.writes, 0);
      assert.deepEqual(await snapshot(dir), {});
    } finally {
      await dispose();
    }
  });

  test('the pixel limit is exact: a 16 × 16 picture passes at 256 pixels and is refused at 255', async () => {
    for (const [maxImagePixels, status] of [
      [256, 201],
      [255, 413],
    ] as const) {
      const { app, dispose } = await core({ maxImagePixels });
      try {
        for (const name of ['photo-plain.jpg', 'photo-plain.webp', 'photo-plain.avif', 'animated-plain.gif']) {
          const res = await app.request('/api/pictures/ada', {
            method: 'PUT',
            body: fixture(name).slice(),
            headers: admin,
          });
          assert.equal(res.status, status, `${name} at ${maxImagePixels}`);
        }
      } finally {
        await dispose();
      }
    }
  });

  test('a token for another audience is refused; with AUTH_AUDIENCE set, only tokens naming it are taken', async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = (claims: Record<string, unknown>) =>
      sign({ sub: 'ada', exp: now + 600, ...claims }, TEST_SECRET, 'HS256');
    const put = async (app: ReturnType<typeof createApp>, jwt: string) => {
      const res = await app.request('/api/pictures/ada', {
        method: 'PUT',
        body: solidPng([7, 7, 7]),
        headers: { Authorization: `Bearer ${jwt}` },
      });
      return {
        status: res.status,
        message: ((await res.json()) as { error?: { message: string } }).error?.message ?? '',
      };
    };
    const none = await core();
    const pictures = await core({ auth: { secret: TEST_SECRET, audience: 'pictures.example' }, demoUser: 'sam' });
    try {
      const other = await put(none.app, await token({ aud: 'another-service' }));
      assert.equal(other.status, 401);
      assert.match(other.message, /another-service.*AUTH_AUDIENCE/);
      assert.equal((await put(none.app, await token({}))).status, 201, 'no audience on either side: as before');
      assert.equal((await put(pictures.app, await token({ aud: 'pictures.example' }))).status, 201);
      assert.equal((await put(pictures.app, await token({ aud: ['other', 'pictures.example'] }))).status, 201);
      assert.equal((await put(pictures.app, await token({ aud: 'another-service' }))).status, 401);
      assert.equal((await put(pictures.app, await token({}))).status, 401, 'a token that names no audience');
      assert.equal(none.counts.writes + pictures.counts.writes, 3, 'only the accepted uploads wrote');
      // The demo's sign-in hands out tokens for the service's own audience.
      const { token: demo } = (await (await pictures.app.request('/api/demo/token')).json()) as { token: string };
      const res = await pictures.app.request('/api/pictures/sam', {
        method: 'PUT',
        body: solidPng([8, 8, 8]),
        headers: { Authorization: `Bearer ${demo}` },
      });
      assert.equal(res.status, 201);
    } finally {
      await Promise.all([none.dispose(), pictures.dispose()]);
    }
  });

  test('a token with a huge payload is refused unread: 401 from the service, 431 from Node past its header limit', async () => {
    const huge = (bytes: number) =>
      sign({ sub: 'ada', exp: Math.floor(Date.now() / 1000) + 600, padding: 'x'.repeat(bytes) }, TEST_SECRET, 'HS256');
    const { app, counts, dispose } = await core();
    const target = await startEmbedded('node');
    try {
      const res = await app.request('/api/pictures/ada', {
        method: 'PUT',
        body: solidPng([1, 1, 1]),
        headers: { Authorization: `Bearer ${await huge(12_000)}` },
      });
      assert.equal(res.status, 401);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /longer than 8192 bytes/);
      assert.equal(counts.writes, 0);
      const overHttp = await fetch(`${target.base}/api/pictures/ada`, {
        method: 'PUT',
        body: solidPng([1, 1, 1]),
        headers: { Authorization: `Bearer ${await huge(9_000)}` },
      });
      assert.equal(overHttp.status, 401);
      const overLimit = await fetch(`${target.base}/api/pictures/ada`, {
        method: 'PUT',
        body: solidPng([1, 1, 1]),
        headers: { Authorization: `Bearer ${await huge(40_000)}` },
      });
      assert.equal(overLimit.status, 431);
      assert.equal((await fetch(`${target.base}/api/pictures/ada`)).status, 404, 'nothing was stored');
      const ok = await fetch(`${target.base}/api/pictures/ada`, {
        method: 'PUT',
        body: solidPng([1, 1, 1]),
        headers: { Authorization: `Bearer ${await userToken('ada')}` },
      });
      assert.equal(ok.status, 201, 'the same upload with a normal token');
      assert.equal(((await ok.json()) as PictureMeta).userId, 'ada');
    } finally {
      await target.stop();
      await dispose();
    }
  });
});
