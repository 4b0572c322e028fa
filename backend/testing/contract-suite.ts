import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CacheStats, ErrorBody, Health, PictureBatch, PictureMeta } from '../../contract/picture.ts';
import { sleep, until } from '../../scripts/testing/wait.ts';
import { assertNoLeaks, fixture } from '../upload/fixtures.ts';
import { collectEvents } from './event-stream.ts';
import { solidPng } from './images.ts';
import { TEST_ADMIN_TOKEN, unsignedToken, userToken } from './tokens.ts';

/** A running service under test, and what it was configured with. */
export interface ContractTarget {
  base: string;
  maxUploadBytes: number;
  /** The storage kind `/healthz` must report. */
  storage: 'files' | 'minio';
  cache: 'memory' | 'redis';
  /**
   * How long a count may wait in one instance before the shared totals show it, when `base` is a balancer in front
   * of several (each adds its counts about once a second); unset for one instance, which counts before it answers.
   */
  countsSettleMs?: number;
  /** Makes the storage unreachable (the object store stopped, the data directory gone); resolves with the undo. */
  breakStorage(): Promise<() => Promise<void>>;
  /** Set when the cache is one private Redis server: what the tests do to it, and a second instance sharing it. */
  redis?: {
    /** `FLUSHALL`. */
    flushAll(): Promise<void>;
    /** Stops the Redis server; resolves with the call that starts it again, empty. */
    stop(): Promise<() => Promise<void>>;
    /** Another instance of the service on the same Redis and storage. */
    startPeer(): Promise<{ base: string; stop(): Promise<unknown> }>;
  };
  stop(): Promise<void>;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** What a browser caches a picture by: its URLs. */
export const urlsOf = (meta: PictureMeta) => ({ version: meta.version, url: meta.url, variants: meta.variants });

/** Every copy a lookup names: the bytes each URL serves, checked against what the lookup says of them. */
export async function fetchCopies(base: string, meta: PictureMeta): Promise<Uint8Array[]> {
  const copies: Uint8Array[] = [];
  for (const variant of meta.variants) {
    const res = await fetch(new URL(variant.url, base));
    assert.equal(res.status, 200, variant.url);
    assert.equal(res.headers.get('Content-Type'), 'image/webp', variant.url);
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.equal(bytes.length, variant.bytes, variant.url);
    copies.push(bytes);
  }
  return copies;
}

async function errorCode(res: Response): Promise<string> {
  const body = (await res.json()) as ErrorBody;
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 10, 'the message says what to do');
  return body.error.code;
}

/**
 * The HTTP contract of DESIGN.md, row by row, against a running service. Every configuration (Node with memory
 * and files, Node with Redis and S3, Deno) runs this same suite. Each test uploads the pictures it looks at, under user
 * ids of its own, so none depends on another having run first.
 */
export function describeContract(name: string, start: () => Promise<ContractTarget>) {
  describe(`HTTP contract: ${name}`, () => {
    let t: ContractTarget;
    const red = solidPng([255, 0, 0], 8, 'GPSLatitude=51.5074 GPSLongitude=-0.1278');
    const put = async (userId: string, body: BodyInit, headers: Record<string, string> = {}) =>
      fetch(`${t.base}/api/pictures/${userId}`, {
        method: 'PUT',
        body,
        headers: { ...bearer(await userToken(userId)), ...headers },
      });
    /** Stores `body` (by default an 8-px red picture with a location) as `userId`'s picture; answers its metadata. */
    const putPicture = async (userId: string, body: BodyInit = red) => {
      const res = await put(userId, body);
      assert.equal(res.status, 201, await res.clone().text());
      return (await res.json()) as PictureMeta;
    };

    before(async () => {
      t = await start();
    });
    after(() => t?.stop());

    test('GET /healthz names both parts and answers ok', async () => {
      const res = await fetch(`${t.base}/healthz`);
      assert.equal(res.status, 200);
      const health = (await res.json()) as Health;
      assert.deepEqual(health, {
        ok: true,
        cache: { kind: t.cache, ok: true },
        storage: { kind: t.storage, ok: true },
      });
    });

    test("PUT with the user's token stores the picture: 201 with its copies, nothing of the upload served", async () => {
      const res = await put('ada', red, { 'Content-Type': 'application/octet-stream' });
      assert.equal(res.status, 201, await res.clone().text());
      const ada = (await res.json()) as PictureMeta;
      assert.equal(ada.userId, 'ada');
      assert.match(ada.version, /^[0-9a-f]{32}$/);
      assert.equal(ada.contentType, 'image/webp', 'every URL serves a copy the service encoded');
      assert.deepEqual(
        ada.variants.map((v) => v.width),
        [8],
        'an 8-px picture gets no copy wider than itself',
      );
      assert.equal(ada.url, ada.variants[0]!.url);
      assert.match(
        ada.url,
        new RegExp(`^/images/ada/${ada.version}/8\\.webp$`),
        'a path on the service, never built from the Host',
      );
      assert.match(ada.preview ?? '', /^[0-9a-f]{18}$/, 'a preview of three colours');
      assert.ok(ada.expiresAt > Date.now() + 50 * 60_000, 'the answer lives long enough to be cached');
      const image = await fetch(new URL(ada.url, t.base));
      assert.match(image.headers.get('Cache-Control') ?? '', /max-age=31536000.*immutable/);
      const [bytes] = await fetchCopies(t.base, ada);
      assert.equal(new Uint8Array(await image.arrayBuffer()).length, ada.bytes);
      assert.ok(!Buffer.from(bytes!).includes('GPSLatitude'), 'no location is served');
    });

    test('GET /api/pictures/:userId answers the current picture, with X-Cache, ETag and 304', async () => {
      const uploaded = await putPicture('looked-up');
      const res = await fetch(`${t.base}/api/pictures/looked-up`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('X-Cache') ?? '', /^(HIT|MISS)$/);
      const meta = (await res.json()) as PictureMeta;
      assert.deepEqual(meta, uploaded, 'the same URL as the upload answered, so the browser cache works');
      const etag = res.headers.get('ETag');
      assert.ok(etag);
      const again = await fetch(`${t.base}/api/pictures/looked-up`, { headers: { 'If-None-Match': etag } });
      assert.equal(again.status, 304);
      assert.equal(await again.text(), '');
      assert.equal(again.headers.get('X-Cache'), 'HIT');
      assert.equal(again.headers.get('ETag'), etag);
    });

    test('a user with no picture is 404 not_found; a bad id is 400', async () => {
      const res = await fetch(`${t.base}/api/pictures/nobody`);
      assert.equal(res.status, 404);
      assert.equal(await errorCode(res), 'not_found');
      for (const bad of ['bad%20id', 'a.b', 'x'.repeat(65), '%C3%A9']) {
        for (const method of ['GET', 'PUT', 'DELETE']) {
          const body = method === 'PUT' ? solidPng([1, 1, 1]) : undefined;
          const r = await fetch(`${t.base}/api/pictures/${bad}`, { method, body, headers: bearer(TEST_ADMIN_TOKEN) });
          assert.equal(r.status, 400, `${method} ${bad}`);
          assert.equal(await errorCode(r), 'invalid_user_id');
        }
      }
    });

    test('GET /api/pictures?users= answers every user in one response, null for none', async () => {
      const batched = await putPicture('batched');
      const res = await fetch(`${t.base}/api/pictures?users=batched,nobody,batched`);
      assert.equal(res.status, 200);
      const etag = res.headers.get('ETag');
      assert.ok(etag);
      const { pictures } = (await res.json()) as PictureBatch;
      assert.deepEqual(pictures, { batched, nobody: null });
      const again = await fetch(`${t.base}/api/pictures?users=batched,nobody,batched`, {
        headers: { 'If-None-Match': etag },
      });
      assert.equal(again.status, 304);
      assert.equal(await again.text(), '');
      const many = Array.from({ length: 100 }, (_, i) => `u${i}`).join(',');
      assert.equal((await fetch(`${t.base}/api/pictures?users=${many}`)).status, 200);
      const tooMany = await fetch(`${t.base}/api/pictures?users=${many},u100`);
      assert.equal(tooMany.status, 400);
      assert.equal(await errorCode(tooMany), 'bad_request');
      assert.equal(await errorCode(await fetch(`${t.base}/api/pictures?users=ok,no%20way`)), 'invalid_user_id');
      assert.equal((await fetch(`${t.base}/api/pictures?users=`)).status, 400);
    });

    test('GET /images/:userId/:version/:width.webp: immutable bytes, ETag, 304; the old upload URL leads to the copy', async () => {
      const served = await putPicture('served');
      const url = `${t.base}/images/served/${served.version}/8.webp`;
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('Content-Type'), 'image/webp');
      assert.equal(res.headers.get('Cache-Control'), 'public, max-age=31536000, immutable');
      assert.equal(res.headers.get('ETag'), `"${served.version}-8"`);
      assert.equal((await res.arrayBuffer()).byteLength, served.bytes);
      const again = await fetch(url, { headers: { 'If-None-Match': `"${served.version}-8"` } });
      assert.equal(again.status, 304);
      for (const missing of [
        `${'0'.repeat(32)}/8.webp`,
        `${served.version}/64.webp`,
        `${served.version}/8.png`,
        `${served.version}/08.webp`,
        'not-a-version/8.webp',
      ]) {
        assert.equal((await fetch(`${t.base}/images/served/${missing}`)).status, 404, missing);
      }
      // A page that kept the URL of the upload itself, from before copies were made, is sent to the current copy.
      const old = await fetch(`${t.base}/images/served/${served.version}`, { redirect: 'manual' });
      assert.equal(old.status, 301);
      assert.equal(old.headers.get('Location'), served.url);
      assert.equal((await fetch(`${t.base}/images/served/${'0'.repeat(32)}`, { redirect: 'manual' })).status, 404);
    });

    test('PUT takes JPEG, PNG, WebP, GIF and AVIF, known by their bytes, and serves WebP copies without location', async () => {
      const photos = [
        'photo-gps.jpg',
        'photo-gps.png',
        'photo-gps.webp',
        'lossless-gps.webp',
        'animated-gps.gif',
        'photo-gps.avif',
      ];
      for (const name of photos) {
        const res = await put('phone', fixture(name), { 'Content-Type': 'application/octet-stream' });
        assert.equal(res.status, 201, `${name}: ${await res.clone().text()}`);
        const meta = (await res.json()) as PictureMeta;
        assert.equal(meta.contentType, 'image/webp', name);
        assert.ok(meta.variants.length > 0, name);
        for (const served of await fetchCopies(t.base, meta)) assertNoLeaks(served);
      }
      const heic = await put('phone', fixture('photo.heic'), { 'Content-Type': 'image/jpeg' });
      assert.equal(heic.status, 415, 'HEIC is not among the types every browser shows');
      assert.equal(await errorCode(heic), 'unsupported_media_type');
    });

    test('PUT as multipart (field "file") works; a multipart body without it is 400', async () => {
      const form = new FormData();
      form.append('file', new Blob([solidPng([0, 0, 255])], { type: 'image/png' }), 'me.png');
      const res = await put('multipart', form);
      assert.equal(res.status, 201, await res.clone().text());
      assert.equal(((await res.json()) as PictureMeta).variants.length, 1);
      const empty = new FormData();
      empty.append('other', 'x');
      const bad = await put('multipart', empty);
      assert.equal(bad.status, 400);
      assert.equal(await errorCode(bad), 'bad_request');
    });

    test('refused uploads are 415 / 413 / 400 and store nothing', async () => {
      const kept = await putPicture('refused');
      const svg = await put('refused', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', {
        'Content-Type': 'image/png',
      });
      assert.equal(svg.status, 415);
      assert.equal(await errorCode(svg), 'unsupported_media_type');
      const text = await put('refused', 'hello', { 'Content-Type': 'image/jpeg' });
      assert.equal(text.status, 415);
      const truncated = await put('refused', red.subarray(0, 40));
      assert.equal(truncated.status, 415);
      const big = new Uint8Array(t.maxUploadBytes + 1);
      big.set(red);
      const tooBig = await put('refused', big);
      assert.equal(tooBig.status, 413);
      assert.equal(await errorCode(tooBig), 'payload_too_large');
      const empty = await put('refused', new Uint8Array());
      assert.equal(empty.status, 400);
      const now = (await (await fetch(`${t.base}/api/pictures/refused`)).json()) as PictureMeta;
      assert.equal(now.version, kept.version, 'the picture is unchanged');
    });

    test('a huge streamed body is refused with 413 without the service reading it all', async () => {
      let sent = 0;
      const chunk = new Uint8Array(256 * 1024);
      chunk.set(red);
      // Paced at about 256 MB/s, so what was sent shows what the service read, not what loopback buffers held.
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await sleep(1); // a rate: about 256 MB/s
          if (sent >= 2 * 1024 ** 3) return controller.close();
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      });
      const res = await fetch(`${t.base}/api/pictures/streamed`, {
        method: 'PUT',
        body,
        duplex: 'half',
        headers: bearer(await userToken('streamed')),
      } as RequestInit).catch((error: Error) => error);
      // The service answers 413 and closes; a client still sending may see the reset instead of the answer.
      if (res instanceof Response) assert.equal(res.status, 413);
      assert.ok(sent < 64 * 1024 * 1024, `only ${sent} of 2 GB were sent before the refusal`);
    });

    test("bad tokens are 401; someone else's token is 403; the operator token works", async () => {
      const guarded = await putPicture('guarded');
      const png = solidPng([0, 255, 0]);
      const cases: [Record<string, string>, number][] = [
        [{}, 401],
        [{ Authorization: 'Basic YWRhOmFkYQ==' }, 401],
        [bearer('not.a.token'), 401],
        [bearer(unsignedToken('guarded')), 401],
        [bearer(await userToken('guarded', { secret: 'another-secret-0123456789abcdef0123456789' })), 401],
        [bearer(await userToken('guarded', { expiresIn: -60 })), 401],
        [bearer(await userToken('grace')), 403],
      ];
      for (const [headers, status] of cases) {
        for (const method of ['PUT', 'DELETE']) {
          const res = await fetch(`${t.base}/api/pictures/guarded`, {
            method,
            body: method === 'PUT' ? png : undefined,
            headers,
          });
          assert.equal(res.status, status, `${method} ${JSON.stringify(headers)}`);
          assert.equal(await errorCode(res), status === 401 ? 'unauthorized' : 'forbidden');
          if (status === 401) assert.equal(res.headers.get('WWW-Authenticate'), 'Bearer');
        }
      }
      assert.equal(
        ((await (await fetch(`${t.base}/api/pictures/guarded`)).json()) as PictureMeta).version,
        guarded.version,
      );
      const admin = await fetch(`${t.base}/api/pictures/linus`, {
        method: 'PUT',
        body: png,
        headers: bearer(TEST_ADMIN_TOKEN),
      });
      assert.equal(admin.status, 201);
      const removed = await fetch(`${t.base}/api/pictures/linus`, {
        method: 'DELETE',
        headers: bearer(TEST_ADMIN_TOKEN),
      });
      assert.equal(removed.status, 204);
      assert.equal((await fetch(`${t.base}/api/pictures/linus`)).status, 404);
    });

    test('a new upload is a new version and URL; the old URLs still serve their bytes, for whoever still holds them', async () => {
      const first = await putPicture('renewed');
      const res = await put('renewed', solidPng([255, 255, 0]));
      assert.equal(res.status, 201);
      const next = (await res.json()) as PictureMeta;
      assert.notEqual(next.version, first.version);
      assert.notEqual(next.url, first.url);
      assert.equal(
        ((await (await fetch(`${t.base}/api/pictures/renewed`)).json()) as PictureMeta).version,
        next.version,
      );
      // A cached lookup elsewhere, or a page, may still name them: they go at the storage's sweep (CLEANUP_GRACE_MS).
      await fetchCopies(t.base, first);
      await fetchCopies(t.base, next);
    });

    test('GET /api/events streams picture-changed for uploads and deletes', async () => {
      const events = await collectEvents(
        t.base,
        async () => {
          assert.equal((await put('sse', solidPng([1, 2, 3]))).status, 201);
          const del = await fetch(`${t.base}/api/pictures/sse`, {
            method: 'DELETE',
            headers: bearer(await userToken('sse')),
          });
          assert.equal(del.status, 204);
        },
        2,
      );
      assert.equal(events.length, 2);
      assert.equal(events[0]!.event, 'picture-changed');
      assert.deepEqual(events[0]!.data, { userId: 'sse', version: (events[0]!.data as { version: string }).version });
      assert.match((events[0]!.data as { version: string }).version, /^[0-9a-f]{32}$/);
      assert.deepEqual(events[1], { event: 'picture-changed', data: { userId: 'sse', version: null } });
    });

    test('DELETE removes the picture: 204, then 404; its URLs still serve their bytes, for whoever still holds them', async () => {
      const meta = (await (await put('temp', solidPng([9, 9, 9]))).json()) as PictureMeta;
      const del = await fetch(`${t.base}/api/pictures/temp`, {
        method: 'DELETE',
        headers: bearer(await userToken('temp')),
      });
      assert.equal(del.status, 204);
      assert.equal((await fetch(`${t.base}/api/pictures/temp`)).status, 404);
      // They go at the storage's sweep (CLEANUP_GRACE_MS), once no cached lookup can name them.
      await fetchCopies(t.base, meta);
      const { pictures } = (await (await fetch(`${t.base}/api/pictures?users=temp`)).json()) as PictureBatch;
      assert.equal(pictures.temp, null);
    });

    test('GET /api/cache/stats counts hits and misses; DELETE /api/cache/:userId is for operators', async () => {
      const counted = await putPicture('counted');
      // Behind a balancer, each instance adds its counts to the shared totals about once a second.
      const statsWhen = (what: string, done: (stats: CacheStats) => boolean) =>
        until(async () => {
          const stats = (await (await fetch(`${t.base}/api/cache/stats`)).json()) as CacheStats;
          return done(stats) ? stats : undefined;
        }, `the stats to show ${what}`);
      // A clock rule: each instance sends its counts about once a second, so the earlier tests' counts have landed.
      if (t.countsSettleMs) await sleep(t.countsSettleMs);
      const before = (await (await fetch(`${t.base}/api/cache/stats`)).json()) as CacheStats;
      assert.equal(before.backend, t.cache);
      await fetch(`${t.base}/api/pictures/counted`);
      await fetch(`${t.base}/api/pictures/counted`);
      const mid = await statsWhen('two more hits', (stats) => stats.hits >= before.hits + 2);
      assert.equal(mid.hits, before.hits + 2);
      assert.ok(mid.keys >= 1);
      assert.ok(mid.hitRate > 0 && mid.hitRate <= 1);
      assert.equal(
        (await fetch(`${t.base}/api/cache/counted`, { method: 'DELETE', headers: bearer(await userToken('counted')) }))
          .status,
        403,
      );
      assert.equal((await fetch(`${t.base}/api/cache/counted`, { method: 'DELETE' })).status, 401);
      assert.equal(
        (await fetch(`${t.base}/api/cache/counted`, { method: 'DELETE', headers: bearer(TEST_ADMIN_TOKEN) })).status,
        204,
      );
      const res = await fetch(`${t.base}/api/pictures/counted`);
      assert.equal(res.headers.get('X-Cache'), 'MISS', 'the dropped entry is read again from storage');
      assert.equal(((await res.json()) as PictureMeta).version, counted.version);
      const after = await statsWhen('one more miss', (stats) => stats.misses >= mid.misses + 1);
      assert.equal(after.misses, mid.misses + 1);
    });

    test('CORS: a page on another origin may read lookups and the headers it needs', async () => {
      await putPicture('cors');
      const res = await fetch(`${t.base}/api/pictures/cors`, { headers: { Origin: 'http://localhost:3000' } });
      assert.equal(res.headers.get('Access-Control-Allow-Origin'), '*');
      assert.match(res.headers.get('Access-Control-Expose-Headers') ?? '', /X-Cache/);
      const preflight = await fetch(`${t.base}/api/pictures/cors`, {
        method: 'OPTIONS',
        headers: {
          Origin: 'http://localhost:3000',
          'Access-Control-Request-Method': 'PUT',
          'Access-Control-Request-Headers': 'authorization',
        },
      });
      assert.ok(preflight.status === 204 || preflight.status === 200);
      assert.match(preflight.headers.get('Access-Control-Allow-Methods') ?? '', /PUT/);
    });

    test('with the storage unreachable, cached lookups answer, the rest get 503 with Retry-After, /healthz is 503', async () => {
      const kept = (await (await put('kept', solidPng([4, 5, 6]))).json()) as PictureMeta;
      assert.equal((await fetch(`${t.base}/api/pictures/kept`)).status, 200);
      const repair = await t.breakStorage();
      try {
        const cached = await fetch(`${t.base}/api/pictures/kept`);
        assert.equal(cached.status, 200);
        assert.deepEqual(await cached.json(), kept);
        const uncached = await fetch(`${t.base}/api/pictures/someone-new`);
        assert.equal(uncached.status, 503);
        assert.equal(uncached.headers.get('Retry-After'), '5');
        assert.equal(await errorCode(uncached), 'storage_unavailable');
        const upload = await put('kept', solidPng([7, 7, 7]));
        assert.equal(upload.status, 503);
        assert.equal(upload.headers.get('Retry-After'), '5');
        const health = await fetch(`${t.base}/healthz`);
        assert.equal(health.status, 503);
        const body = (await health.json()) as Health;
        assert.equal(body.ok, false);
        assert.deepEqual(body.cache, { kind: t.cache, ok: true });
        assert.equal(body.storage.ok, false);
        assert.match(body.storage.error ?? '', /\S/, 'it says what is wrong');
        assert.doesNotMatch(
          body.storage.error ?? '',
          /\/(work|tmp|home|root)\/|\.data/,
          'no path of the server in a public answer',
        );
      } finally {
        await repair();
      }
      assert.equal((await fetch(`${t.base}/healthz`)).status, 200);
      const now = await fetch(`${t.base}/api/pictures/kept`);
      assert.equal(now.status, 200);
      const { version, url } = (await now.json()) as PictureMeta;
      assert.deepEqual(
        { version, url },
        { version: kept.version, url: kept.url },
        'the refused upload changed nothing',
      );
      assert.equal((await fetch(new URL(kept.url, t.base))).status, 200);
    });

    test('Redis: FLUSHALL between two requests loses no picture, and the URL stays the same', async (c) => {
      if (!t.redis) return c.skip('the cache is not one Redis server');
      const flushed = await putPicture('flushed');
      const first = await fetch(`${t.base}/api/pictures/flushed`);
      assert.equal(first.status, 200);
      await t.redis.flushAll();
      const second = await fetch(`${t.base}/api/pictures/flushed`);
      assert.equal(second.status, 200);
      assert.equal(second.headers.get('X-Cache'), 'MISS');
      assert.deepEqual(
        urlsOf((await second.json()) as PictureMeta),
        urlsOf(flushed),
        'the same URLs, so browsers keep their cached copies',
      );
      await t.redis.flushAll();
      const { pictures } = (await (await fetch(`${t.base}/api/pictures?users=flushed,nobody`)).json()) as PictureBatch;
      assert.deepEqual(urlsOf(pictures.flushed!), urlsOf(flushed));
      assert.equal(pictures.nobody, null);
    });

    test('Redis: picture-changed and the new picture reach another instance at once', async (c) => {
      if (!t.redis) return c.skip('the cache is not one Redis server');
      const peer = await t.redis.startPeer();
      try {
        let uploaded: PictureMeta | undefined;
        const events = await collectEvents(
          peer.base,
          async () => {
            uploaded = (await (await put('grace', solidPng([1, 2, 3]))).json()) as PictureMeta;
            const onPeer = await fetch(`${peer.base}/api/pictures/grace`);
            assert.equal(onPeer.headers.get('X-Cache'), 'HIT', 'the upload wrote the shared cache');
            assert.deepEqual(await onPeer.json(), uploaded);
          },
          1,
          1_000,
        );
        assert.deepEqual(events, [{ event: 'picture-changed', data: { userId: 'grace', version: uploaded?.version } }]);
        await t.redis.flushAll();
        const readAgain = (await (await fetch(`${peer.base}/api/pictures/grace`)).json()) as PictureMeta;
        assert.deepEqual(
          urlsOf(readAgain),
          urlsOf(uploaded!),
          'another instance, reading the storage, names the same URLs',
        );
      } finally {
        await peer.stop();
      }
    });

    test('Redis: stopped, lookups answer from storage (BYPASS, no 5xx); started, the cache is used again', async (c) => {
      if (!t.redis) return c.skip('the cache is not one Redis server');
      const bypassed = await putPicture('bypassed');
      const restart = await t.redis.stop();
      try {
        for (let i = 0; i < 10; i++) {
          const single = await fetch(`${t.base}/api/pictures/bypassed`);
          assert.equal(single.status, 200);
          assert.equal(single.headers.get('X-Cache'), 'BYPASS');
          assert.equal(((await single.json()) as PictureMeta).version, bypassed.version);
          assert.equal((await fetch(`${t.base}/api/pictures/nobody`)).status, 404);
          const batch = await fetch(`${t.base}/api/pictures?users=bypassed,nobody`);
          assert.equal(batch.status, 200);
          assert.equal(batch.headers.get('X-Cache'), 'BYPASS');
        }
        const health = await fetch(`${t.base}/healthz`);
        assert.equal(health.status, 200, 'the service is up: only the cache is away');
        const body = (await health.json()) as Health;
        assert.equal(body.cache.ok, false);
        assert.equal(body.storage.ok, true);
        assert.equal((await put('offline', solidPng([7, 7, 7]))).status, 201, 'uploads need only the storage');
      } finally {
        await restart();
      }
      // Every instance behind `base` uses the cache again: the first lookup fills it, the next ones hit.
      await until(async () => {
        const answers = await Promise.all([0, 1, 2, 3].map(() => fetch(`${t.base}/api/pictures/bypassed`)));
        return answers.every((res) => res.headers.get('X-Cache') === 'HIT');
      }, 'the cache to answer again');
      assert.equal(((await (await fetch(`${t.base}/healthz`)).json()) as Health).cache.ok, true);
    });

    test('an unknown route is a 404 with the error body', async () => {
      const res = await fetch(`${t.base}/api/nothing-here`);
      assert.equal(res.status, 404);
      assert.equal(await errorCode(res), 'not_found');
    });
  });
}
