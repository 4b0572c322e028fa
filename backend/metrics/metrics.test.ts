// `GET /metrics`: what an operator's scraper reads, through the core on the real memory cache and file storage, and
// from the running service on Node and Deno.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { PictureMeta } from '../../contract/picture.ts';
import { createApp } from '../app.ts';
import { createMemoryCache, createMemoryEventBus } from '../cache/memory.ts';
import { createFileStorage } from '../storage/files.ts';
import { noisyPng, solidPng } from '../testing/images.ts';
import { startEmbedded } from '../testing/stack.ts';
import { admin, TEST_ADMIN_TOKEN, TEST_SECRET, userToken } from '../testing/tokens.ts';

/** The value of one sample in a Prometheus text exposition, or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics', () => {
  test('lookups by result, batch sizes, uploads by outcome, refusals by reason and failing parts are counted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pictures-metrics-'));
    const storage = createFileStorage({ dir });
    const app = createApp({
      cache: createMemoryCache(),
      storage,
      events: createMemoryEventBus(),
      auth: { secret: TEST_SECRET, adminToken: TEST_ADMIN_TOKEN },
      log: { warn() {}, error() {} },
    });
    try {
      assert.equal(
        (await app.request('/api/pictures/ada', { method: 'PUT', body: solidPng([1, 2, 3]), headers: admin })).status,
        201,
      );
      assert.equal(
        (
          await app.request('/api/pictures/ada', {
            method: 'PUT',
            body: new TextEncoder().encode('<svg/>'),
            headers: admin,
          })
        ).status,
        415,
      );
      assert.equal((await app.request('/api/pictures/ada', { method: 'PUT', body: solidPng([1, 2, 3]) })).status, 401);
      await app.request('/api/pictures/bob');
      await app.request('/api/pictures/bob');
      await app.request('/api/pictures/ada');
      await app.request('/api/pictures?users=ada,bob,cy');
      const before = await app.request('/metrics', { headers: admin });
      assert.equal(before.status, 200);
      assert.match(before.headers.get('Content-Type')!, /^text\/plain; version=0\.0\.4/);
      const text = await before.text();
      assert.equal(sample(text, 'pictures_uploads_total{outcome="stored"}'), 1);
      assert.equal(sample(text, 'pictures_uploads_total{outcome="refused"}'), 2);
      assert.equal(sample(text, 'pictures_refusals_total{reason="unsupported_media_type"}'), 1);
      assert.equal(sample(text, 'pictures_refusals_total{reason="unauthorized"}'), 1);
      // bob: a miss, then "no picture" from the cache; ada: cached by her upload.
      assert.equal(sample(text, 'pictures_lookups_total{kind="single",result="miss"}'), 1);
      assert.equal(sample(text, 'pictures_lookups_total{kind="single",result="hit"}'), 2);
      assert.equal(sample(text, 'pictures_lookups_total{kind="batch",result="miss"}'), 1);
      assert.equal(sample(text, 'pictures_lookup_duration_seconds_count{kind="single"}'), 3);
      assert.equal(sample(text, 'pictures_batch_users_bucket{le="2"}'), 0);
      assert.equal(sample(text, 'pictures_batch_users_bucket{le="5"}'), 1);
      assert.equal(sample(text, 'pictures_uploads_in_flight'), 0);

      // The storage gone: lookups that need it fail, and say which part did.
      await rm(dir, { recursive: true, force: true });
      await app.request('/api/pictures/dan');
      const after = await (await app.request('/metrics', { headers: admin })).text();
      assert.equal(sample(after, 'pictures_part_errors_total{part="storage"}'), 1);
      assert.equal(sample(after, 'pictures_refusals_total{reason="storage_unavailable"}'), 1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('copies served are counted by where their bytes came from (two at once share a read), and the memory they take is reported', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pictures-metrics-'));
    const app = createApp({
      cache: createMemoryCache(),
      storage: createFileStorage({ dir }),
      events: createMemoryEventBus(),
      auth: { secret: TEST_SECRET, adminToken: TEST_ADMIN_TOKEN },
      copyMemory: { maxBytes: 1024 * 1024, ttlMs: 60_000 },
    });
    try {
      const meta = (await (
        await app.request('/api/pictures/ada', { method: 'PUT', body: noisyPng(3), headers: admin })
      ).json()) as PictureMeta;
      const [small, large] = [meta.variants[0]!, meta.variants.at(-1)!];
      assert.notEqual(small.width, large.width);
      const get = async (variant: typeof small) =>
        assert.equal((await app.request(new URL(variant.url, 'http://service').pathname)).status, 200);
      await Promise.all([get(small), get(small)]);
      for (const variant of [small, small, large]) await get(variant);
      const text = await (await app.request('/metrics', { headers: admin })).text();
      assert.equal(sample(text, 'pictures_copies_served_total{from="storage"}'), 2, 'each copy read once');
      assert.equal(sample(text, 'pictures_copies_served_total{from="shared"}'), 1, 'the second of two at once');
      assert.equal(sample(text, 'pictures_copies_served_total{from="memory"}'), 2);
      assert.equal(sample(text, 'pictures_copy_memory_bytes'), small.bytes + large.bytes);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  for (const runtime of ['node', 'deno'] as const) {
    test(`the running service (${runtime}) answers /metrics to the operator's token only`, async () => {
      const target = await startEmbedded(runtime);
      try {
        assert.equal((await fetch(`${target.base}/metrics`)).status, 401);
        assert.equal(
          (await fetch(`${target.base}/metrics`, { headers: { Authorization: `Bearer ${await userToken('ada')}` } }))
            .status,
          403,
        );
        await fetch(`${target.base}/api/pictures/ada`);
        const res = await fetch(`${target.base}/metrics`, { headers: admin });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('Cache-Control'), 'no-store');
        const text = await res.text();
        assert.equal(sample(text, 'pictures_lookups_total{kind="single",result="miss"}'), 1);
        assert.match(text, /# TYPE pictures_lookup_duration_seconds histogram/);
      } finally {
        await target.stop();
      }
    });
  }
});
