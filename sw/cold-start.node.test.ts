// The worker's start, in Chromium: stopped as the browser stops an idle worker, then started again by a reload while
// another tab holds its IndexedDB (a write that never ends), it still answers the page and every picture from its
// cache; what it answered is counted once it can read its index, and written beside what the disk had.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { solidPng } from '../backend/testing/images.ts';
import { until } from '../scripts/testing/wait.ts';
import { WORKER_DB_NAME } from './worker-db.ts';
import {
  controlled,
  emptyMemoryCache,
  startSite,
  stopWorkers,
  takeImageRequests,
  upload,
  workerStats,
  type Site,
} from './testing/site.ts';

const USERS = Array.from({ length: 5 }, (_, i) => `cold${i}`);

/**
 * A page of the worker's origin that the worker does not serve. `hold()` keeps a write transaction on the index's
 * stores open (a request after each other) until `release()`; `stored()` reads the index's stores.
 */
const HOLDING_PAGE = `<!doctype html><meta charset="utf-8"><script>
const open = (name) => new Promise((resolve, reject) => {
  const request = indexedDB.open(name);
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});
const result = (request) => new Promise((resolve) => (request.onsuccess = () => resolve(request.result)));
window.hold = async (name) => {
  const db = await open(name);
  const tx = db.transaction(['entries', 'counters'], 'readwrite');
  let holding = true;
  const next = () => holding && (tx.objectStore('counters').get('hits').onsuccess = next);
  next();
  const done = new Promise((resolve) => (tx.oncomplete = resolve));
  window.release = () => ((holding = false), done.then(() => db.close()));
};
window.stored = async (name) => {
  const db = await open(name);
  const tx = db.transaction(['entries', 'counters'], 'readonly');
  const counters = tx.objectStore('counters');
  const [entries, names, values] = await Promise.all(
    [tx.objectStore('entries').getAll(), counters.getAllKeys(), counters.getAll()].map(result),
  );
  db.close();
  return { entries, counters: Object.fromEntries(names.map((name, i) => [name, values[i]])) };
};
</script>`;

const pages: Record<string, string> = { '/hold.html': HOLDING_PAGE };
let site: Site;

before(async () => {
  site = await startSite(pages);
  const urls = [];
  for (const [i, id] of USERS.entries()) {
    const meta = await upload(site.service.base, id, solidPng([i * 40, 90, 200], 48));
    urls.push(new URL(meta.url, site.service.base).pathname);
  }
  pages['/friends.html'] = `<!doctype html><meta charset="utf-8"><script type="module">
import { swManager } from '/sw-registration.js';
swManager.register({ precache: ['/friends.html'] });
</script>${urls.map((src) => `<img src="${src}" width="48" height="48" alt="">`).join('')}`;
});
after(() => site?.stop());

/** What the index's stores hold on disk, read by the holding page. */
function stored(holder: Page): Promise<{ entries: { lastUsed: number }[]; counters: Record<string, number> }> {
  return holder.evaluate(
    (name) => (window as unknown as { stored(name: string): Promise<never> }).stored(name),
    WORKER_DB_NAME,
  );
}

/** Reloads with the memory cache emptied, so the pictures go through the worker, and waits until all are shown. */
async function reloadThroughWorker(page: Page): Promise<void> {
  await emptyMemoryCache(await page.context().newCDPSession(page));
  await page.reload();
  await page.waitForFunction(() => [...document.images].every((img) => img.complete && img.naturalWidth > 0));
}

test('a worker started cold answers the page and its pictures before it can read its index, and counts them', async () => {
  const context = await site.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${site.proxy.base}/friends.html`);
  await controlled(page);
  await until(async () => (await workerStats(page)).totalEntries === USERS.length, 'the worker to keep the pictures');
  await reloadThroughWorker(page);
  const holder = await context.newPage();
  await holder.goto(`${site.proxy.base}/hold.html`);
  // On disk a moment after the burst of hits.
  await until(async () => {
    const disk = await stored(holder);
    return disk.counters.hits === USERS.length && disk.entries.length === USERS.length;
  }, 'the worker to write its index');

  await stopWorkers(await context.newCDPSession(page));
  await holder.evaluate(
    (name) => (window as unknown as { hold(name: string): Promise<void> }).hold(name),
    WORKER_DB_NAME,
  );
  takeImageRequests(site.proxy);
  const reloadedAt = await page.evaluate(() => Date.now());
  await reloadThroughWorker(page);
  const served = await page.evaluate(() => ({
    page: (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).workerStart > 0,
    pictures: (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter(
      (entry) => entry.name.includes('/images/') && entry.workerStart > 0,
    ).length,
  }));
  assert.deepEqual(served, { page: true, pictures: USERS.length }, 'the page and every picture through the worker');
  assert.deepEqual(takeImageRequests(site.proxy), [], 'every picture from the cache');

  await holder.evaluate(() => (window as unknown as { release(): Promise<void> }).release());
  const stats = await workerStats(page);
  assert.deepEqual(
    { totalEntries: stats.totalEntries, hits: stats.hits, misses: stats.misses },
    { totalEntries: USERS.length, hits: 2 * USERS.length, misses: 0 },
    'the hits of before the index was read added to those on disk',
  );
  const written = await until(async () => {
    const disk = await stored(holder);
    return disk.counters.hits === 2 * USERS.length ? disk : undefined;
  }, 'the counts on disk');
  assert.equal(written.entries.length, USERS.length);
  assert.ok(
    written.entries.every((entry) => entry.lastUsed >= reloadedAt),
    'each picture recorded as used by the reload',
  );
  await context.close();
});
