// The lookups answer from what is prepared per cached entry, with their own CORS headers: through `app.request()`, the
// real memory cache and file storage.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { PictureBatch, PictureMeta } from '../../contract/picture.ts';
import { createApp, type AppDeps } from '../app.ts';
import { createMemoryCache, createMemoryEventBus } from '../cache/memory.ts';
import { createFileStorage } from '../storage/files.ts';
import { solidPng } from '../testing/images.ts';
import { admin, TEST_ADMIN_TOKEN } from '../testing/tokens.ts';

describe('lookups', () => {
  let dir: string;
  const build = (extra: Partial<AppDeps> = {}) =>
    createApp({
      cache: createMemoryCache(),
      storage: createFileStorage({ dir }),
      events: createMemoryEventBus(),
      auth: { adminToken: TEST_ADMIN_TOKEN },
      log: { warn() {}, error() {} },
      ...extra,
    });
  const put = async (app: ReturnType<typeof build>, userId: string, rgb: [number, number, number]) => {
    const res = await app.request(`/api/pictures/${userId}`, { method: 'PUT', body: solidPng(rgb), headers: admin });
    assert.equal(res.status, 201);
    return (await res.json()) as PictureMeta;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pictures-lookups-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('a cached lookup answers the same bytes and headers every time, and its 304 the same ETag', async () => {
    const app = build();
    const uploaded = await put(app, 'ada', [1, 2, 3]);
    const first = await app.request('/api/pictures/ada');
    const body = await first.text();
    assert.deepEqual(JSON.parse(body), uploaded);
    const etag = first.headers.get('ETag')!;
    assert.match(etag, /^W\/"[0-9a-f]{32}\.[0-9a-z]+"$/);
    const expected = {
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'ETag, X-Cache, Retry-After, Location',
      'cache-control': 'no-cache',
      'content-type': 'application/json',
      etag,
      'timing-allow-origin': '*',
      'x-cache': 'HIT',
    };
    assert.deepEqual(Object.fromEntries(first.headers), expected);
    const again = await app.request('/api/pictures/ada');
    assert.equal(await again.text(), body);
    assert.deepEqual(Object.fromEntries(again.headers), expected);

    for (const ifNoneMatch of [etag, etag.slice(2), `"other", ${etag}`]) {
      const revalidated = await app.request('/api/pictures/ada', { headers: { 'If-None-Match': ifNoneMatch } });
      assert.equal(revalidated.status, 304, ifNoneMatch);
      assert.equal(await revalidated.text(), '');
      const { 'content-type': _, ...without } = expected;
      assert.deepEqual(Object.fromEntries(revalidated.headers), without);
    }
    const head = await app.request('/api/pictures/ada', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('ETag'), etag);
  });

  test('a changed picture gets a new ETag and body at once, alone and in a batch', async () => {
    const app = build();
    const before = await put(app, 'ada', [1, 2, 3]);
    await put(app, 'bob', [4, 5, 6]);
    const single = await app.request('/api/pictures/ada');
    const batch = await app.request('/api/pictures?users=ada,bob,nobody');
    const singleTag = single.headers.get('ETag')!;
    const batchTag = batch.headers.get('ETag')!;
    assert.equal(((await batch.json()) as PictureBatch).pictures.ada?.version, before.version);
    assert.equal(
      (await app.request('/api/pictures?users=ada,bob,nobody', { headers: { 'If-None-Match': batchTag } })).status,
      304,
    );

    const after = await put(app, 'ada', [7, 8, 9]);
    assert.notEqual(after.version, before.version);
    const changed = await app.request('/api/pictures/ada', { headers: { 'If-None-Match': singleTag } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.get('ETag'), singleTag);
    assert.equal(((await changed.json()) as PictureMeta).version, after.version);
    const changedBatch = await app.request('/api/pictures?users=ada,bob,nobody', {
      headers: { 'If-None-Match': batchTag },
    });
    assert.equal(changedBatch.status, 200);
    assert.notEqual(changedBatch.headers.get('ETag'), batchTag);
    const { pictures } = (await changedBatch.json()) as PictureBatch;
    assert.deepEqual(Object.keys(pictures), ['ada', 'bob', 'nobody']);
    assert.equal(pictures.ada?.version, after.version);
    assert.equal(pictures.nobody, null);

    // Gone: the batch's tag changes again, and the single lookup is a 404.
    await app.request('/api/pictures/ada', { method: 'DELETE', headers: admin });
    const removed = await app.request('/api/pictures?users=ada,bob,nobody');
    assert.notEqual(removed.headers.get('ETag'), changedBatch.headers.get('ETag'));
    assert.equal(((await removed.json()) as PictureBatch).pictures.ada, null);
    assert.equal((await app.request('/api/pictures/ada')).status, 404);
  });

  test("a lookup's error carries the CORS headers its answer would have had, and a 404 its X-Cache", async () => {
    const app = build({ corsOrigins: ['https://site.example'] });
    const origin = { Origin: 'https://site.example' };
    const cors = (res: Response) => [
      res.headers.get('Access-Control-Allow-Origin'),
      res.headers.get('Vary'),
      res.headers.get('Timing-Allow-Origin'),
    ];
    const expected = ['https://site.example', 'Origin', 'https://site.example'];
    const missing = await app.request('/api/pictures/nobody', { headers: origin });
    assert.equal(missing.status, 404);
    assert.deepEqual(cors(missing), expected);
    assert.equal(missing.headers.get('X-Cache'), 'MISS');
    for (const path of ['/api/pictures/bad%20id', '/api/pictures?users=', '/api/pictures?users=ok,no%20way']) {
      const refused = await app.request(path, { headers: origin });
      assert.equal(refused.status, 400, path);
      assert.deepEqual(cors(refused), expected, path);
    }
    const elsewhere = await app.request('/api/pictures/nobody', { headers: { Origin: 'https://evil.example' } });
    assert.deepEqual(cors(elsewhere), [null, 'Origin', 'https://site.example']);
  });

  test('with a public address configured, the prepared answers name it, alone and in a batch', async () => {
    const app = build({ publicUrl: 'https://img.example.com' });
    const uploaded = await put(app, 'ada', [1, 2, 3]);
    assert.ok(uploaded.url.startsWith('https://img.example.com/images/ada/'));
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(await (await app.request('/api/pictures/ada')).json(), uploaded);
      const { pictures } = (await (await app.request('/api/pictures?users=ada')).json()) as PictureBatch;
      assert.deepEqual(pictures.ada, uploaded);
    }
  });
});
