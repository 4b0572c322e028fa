// The worker in front of the service on Redis and a real S3 server. Counting proxies in front of the service and of
// the S3 server tell whether a picture's bytes left either. Each copy the page shows is fetched once; later sights,
// with the browser's own caches cleared, are the worker's.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { solidPng } from '../backend/testing/images.ts';
import { startService, type RunningService } from '../backend/testing/service.ts';
import { startBackingServers } from '../backend/testing/stack.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.mjs';
import { startCountingProxy, type CountingProxy } from '../elements/testing/counting-proxy.ts';
import { until } from '../scripts/testing/wait.ts';
import { controlled, REGISTERING_PAGE, takeImageRequests, upload, workerStats } from './testing/site.ts';

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

/** Shows `url` in an `<img>`, as pages do; answers how the worker served it. */
function show(page: Page, url: string): Promise<string | undefined> {
  return page.evaluate(async (src) => {
    const img = Object.assign(new Image(), { src });
    await img.decode();
    const entry = performance.getEntriesByName(src).at(-1) as PerformanceResourceTiming;
    return entry.serverTiming.find((timing) => timing.name === 'sw-cache')?.description;
  }, url);
}

test('on S3, each copy shown is fetched once, then answered by the worker: nothing reaches the service or the store', async () => {
  const meta = await upload(service.base, 'kept', solidPng([90, 30, 200], 300));
  const copies = meta.variants.map((variant) => new URL(variant.url, site.base).href);
  assert.ok(copies.length >= 2, JSON.stringify(meta.variants));
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${site.base}/site.html`);
  await page.evaluate(() => (window as unknown as { registered: Promise<unknown> }).registered);
  await controlled(page);

  takeImageRequests(site);
  for (const copy of copies.slice(0, 2)) assert.equal(await show(page, copy), 'miss');
  assert.deepEqual(
    takeImageRequests(site),
    copies.slice(0, 2).map((copy) => `GET ${new URL(copy).pathname}`),
    'each copy fetched once, and no other',
  );
  await until(async () => (await workerStats(page)).totalEntries === 2, 'the worker to keep both', 15_000);
  assert.equal(
    (await workerStats(page)).totalSizeKB,
    Math.round((meta.variants[0]!.bytes + meta.variants[1]!.bytes) / 1024),
    'kept with their sizes known',
  );

  // The browser's own caches (HTTP and memory) cleared, so only the worker can answer.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  await cdp.detach();
  await page.reload();
  await controlled(page);
  store.forwarded.length = 0;
  for (const copy of copies.slice(0, 2)) assert.equal(await show(page, copy), 'hit');
  assert.deepEqual(takeImageRequests(site), [], 'nothing reached the service');
  assert.deepEqual(store.forwarded, [], 'nor the store');
  await page.context().close();
});
