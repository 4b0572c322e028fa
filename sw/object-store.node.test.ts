// The worker in front of a real object store: the service on Redis and an S3 server that checks signatures, which
// hands out presigned URLs on another origin. A counting proxy in front of the S3 server (the service signs for its
// address, and it passes the Host header on) tells whether a picture's bytes left the store. The worker keeps each
// picture once and answers any later signing of the same object from its cache.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from 'minio';
import { chromium, type Browser, type Page } from 'playwright-core';
import { solidPng } from '../backend/testing/images.ts';
import { startService, type RunningService } from '../backend/testing/service.ts';
import { startBackingServers } from '../backend/testing/stack.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.mjs';
import { startCountingProxy, type CountingProxy } from '../elements/testing/counting-proxy.ts';
import type { PictureMeta } from '../contract/picture.ts';
import { controlled, REGISTERING_PAGE, until, upload, workerStats } from './testing/site.ts';

let backing: Awaited<ReturnType<typeof startBackingServers>>;
let store: CountingProxy;
let service: RunningService;
let site: CountingProxy;
let browser: Browser;

before(async () => {
  backing = await startBackingServers();
  store = await startCountingProxy(`http://127.0.0.1:${backing.s3.port}`, {});
  service = await startService('node', { ...backing.env, MINIO_PORT: new URL(store.base).port });
  site = await startCountingProxy(service.base, { '/site.html': REGISTERING_PAGE });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await site?.close();
  await service?.stop();
  await store?.close();
  await backing?.stop();
});

/** Shows `url` in an `<img>` (a no-cors request of another origin, as pages make them); answers how the worker served it. */
function show(page: Page, url: string): Promise<string | undefined> {
  return page.evaluate(async (src) => {
    const img = Object.assign(new Image(), { src });
    await img.decode();
    const entry = performance.getEntriesByName(src).at(-1) as PerformanceResourceTiming;
    return entry.serverTiming.find((timing) => timing.name === 'sw-cache')?.description;
  }, url);
}

test('a presigned picture is kept once: a URL signed again for the same object is answered by the worker', async () => {
  const meta: PictureMeta = await upload(service.base, 'signed', solidPng([90, 30, 200], 24));
  assert.ok(meta.url.startsWith(`${store.base}/`) && meta.url.includes('X-Amz-Signature='), meta.url);
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${site.base}/site.html`);
  await page.evaluate(() => (window as unknown as { registered: Promise<unknown> }).registered);
  await controlled(page);

  store.forwarded.length = 0;
  assert.equal(await show(page, meta.url), 'miss');
  assert.equal(store.forwarded.filter((line) => line.startsWith('GET ')).length, 1, 'fetched from the store once');
  await until(async () => (await workerStats(page)).totalEntries === 1, 'the worker to keep it');
  assert.equal((await workerStats(page)).totalSizeKB, Math.round(meta.bytes / 1024), 'kept with its size known (CORS, not opaque)');

  // Signed again, as the service does in its next 10-minute window: another URL for the same object.
  const [bucket, ...key] = new URL(meta.url).pathname.slice(1).split('/');
  const client = new Client({ ...backing.s3.clientOptions, port: Number(new URL(store.base).port) });
  const resigned = await client.presignedGetObject(bucket!, key.join('/'), 7_200, {}, new Date(Date.now() + 15 * 60_000));
  assert.notEqual(resigned, meta.url);
  store.forwarded.length = 0;
  assert.equal(await show(page, resigned), 'hit');
  assert.deepEqual(store.forwarded, [], 'nothing reached the store');
  assert.equal((await workerStats(page)).totalEntries, 1);
  await page.context().close();
});
