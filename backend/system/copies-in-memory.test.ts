// The copies the /images/ route served lately come from memory: a copy the sweep has removed from the storage is
// still served from there, but for no longer than CLEANUP_INTERVAL_MS, and COPY_MEMORY_BYTES=0 keeps none.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { until } from '../../scripts/testing/wait.ts';
import { noisyPng } from '../testing/images.ts';
import { startEmbedded } from '../testing/stack.ts';
import { upload } from '../testing/upload.ts';

/** Uploads a picture for `userId`: its 64-px copy's URL, and that copy's file as the embedded storage keeps it. */
async function smallCopy(target: { base: string; dataDir: string }, userId: string) {
  const meta = await upload(target.base, userId, noisyPng(7));
  const variant = meta.variants.find((v) => v.width === 64)!;
  return {
    url: new URL(variant.url, target.base).href,
    file: join(target.dataDir, 'variants', userId, meta.version, '64.webp'),
  };
}

const bytesOf = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()) };
};

for (const runtime of ['node', 'deno'] as const) {
  test(`${runtime}: a copy served lately is served from memory once its file is gone, then no longer than CLEANUP_INTERVAL_MS`, async () => {
    const target = await startEmbedded(runtime, { CLEANUP_INTERVAL_MS: '3000' });
    try {
      const { url, file } = await smallCopy(target, 'ada');
      const first = await bytesOf(url);
      const kept = Date.now();
      assert.equal(first.status, 200);
      await rm(file);
      for (let i = 0; i < 3; i++) {
        const again = await bytesOf(url);
        assert.equal(again.status, 200, 'served from memory, the file being gone');
        assert.deepEqual(again.bytes, first.bytes, 'the same bytes, whole, every time');
      }
      // Its deadline is the interval and then some: a busy machine answers late, never early.
      await until(async () => (await fetch(url)).status === 404, 'the copy to be read from the storage again', 10_000);
      const took = Date.now() - kept;
      assert.ok(took >= 2_900, `kept for the interval, not dropped early (${took} ms)`);
    } finally {
      await target.stop();
    }
  });
}

test('COPY_MEMORY_BYTES=0 keeps no copy: one whose file is gone is 404 at once', async () => {
  const target = await startEmbedded('node', { COPY_MEMORY_BYTES: '0' });
  try {
    const { url, file } = await smallCopy(target, 'ada');
    assert.equal((await bytesOf(url)).status, 200);
    await rm(file);
    assert.equal((await bytesOf(url)).status, 404);
  } finally {
    await target.stop();
  }
});
