// The worker's promise, end to end in Chromium: a page that opted in keeps every picture it showed. With the page's
// own storage and the HTTP cache cleared, a reload fetches no picture; offline, the page and all its pictures still
// show, expired ones included.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { solidPng } from '../backend/testing/images.ts';
import { sleep, until } from '../scripts/testing/wait.ts';
import {
  controlled,
  pictureTags,
  shownPictures,
  startSite,
  takeImageRequests,
  upload,
  workerStats,
  type Site,
} from './testing/site.ts';

const USERS = Array.from({ length: 50 }, (_, i) => `offline${i}`);
const PAGE = pictureTags(USERS, '/sw.js?precache=/friends.html');
/** Pictures expire after a second here, so an offline reload serves them all expired. */
const EXPIRING_PAGE = pictureTags(USERS, '/sw.js?precache=/expiring.html&maxAgeSeconds=1');

let site: Site;

before(async () => {
  site = await startSite({ '/friends.html': PAGE, '/expiring.html': EXPIRING_PAGE });
  for (const [i, id] of USERS.entries()) await upload(site.service.base, id, solidPng([i * 5, 80, 160], 48));
});
after(() => site?.stop());

/**
 * Clears the browser's caches (HTTP and memory), so only the worker can answer, and with `storage` what the page
 * keeps: LocalStorage and IndexedDB (the worker's index with it).
 */
async function clearCaches(page: Page, { storage = false } = {}): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  if (storage)
    await cdp.send('Storage.clearDataForOrigin', { origin: site.proxy.base, storageTypes: 'local_storage,indexeddb' });
  await cdp.send('Network.clearBrowserCache');
  await cdp.detach();
}

/** Opens `path` in a fresh profile and waits until its worker keeps all 50 pictures. */
async function firstVisit(path: string): Promise<Page> {
  const page = await (await site.browser.newContext()).newPage();
  await page.goto(`${site.proxy.base}${path}`);
  assert.equal((await shownPictures(page, 50)).length, 50);
  await controlled(page);
  // The pictures came before the worker controlled the page: swManager has it keep them now.
  await until(async () => (await workerStats(page)).totalEntries === 50, 'the worker to keep the 50 pictures', 15_000);
  return page;
}

/** Reloads offline; answers the pictures shown, each checked to come from its URL (the worker), not a kept Blob. */
async function reloadOffline(page: Page): Promise<string[]> {
  await clearCaches(page);
  await page.context().setOffline(true);
  await page.reload();
  const srcs = await shownPictures(page, 50);
  assert.ok(
    srcs.every((src) => src.startsWith(`${site.proxy.base}/images/`)),
    'from the worker, not from Blobs kept in IndexedDB',
  );
  return srcs;
}

test('a page that opted in: every seen picture from the worker after storage is cleared, and offline', async () => {
  const page = await firstVisit('/friends.html');

  await clearCaches(page, { storage: true });
  takeImageRequests(site.proxy);
  await page.reload();
  const srcs = await shownPictures(page, 50);
  assert.ok(
    srcs.every((src) => src.startsWith(`${site.proxy.base}/images/`)),
    'shown from their URLs, not stored Blobs',
  );
  assert.deepEqual(takeImageRequests(site.proxy), [], 'no picture request reached the service');
  const served = await page.evaluate(
    (urls) =>
      urls.map(
        (url) =>
          (performance.getEntriesByName(url).at(-1) as PerformanceResourceTiming | undefined)?.serverTiming.find(
            (t) => t.name === 'sw-cache',
          )?.description,
      ),
    srcs,
  );
  assert.deepEqual(new Set(served), new Set(['hit']), 'the worker answered every one');

  assert.equal((await reloadOffline(page)).length, 50);
  await page.context().close();
});

test('offline, expired pictures still show, counted as stale', async () => {
  const page = await firstVisit('/expiring.html');
  await sleep(1_100); // a clock-based rule: every picture's second runs out
  const before = await workerStats(page);
  assert.deepEqual({ expired: before.expiredEntries, valid: before.validEntries }, { expired: 50, valid: 0 });
  assert.equal((await reloadOffline(page)).length, 50);
  const after = await workerStats(page);
  assert.equal(after.stale - before.stale, 50, 'each expired picture answered stale');
  assert.equal(after.totalEntries, 50);
  await page.context().close();
});

test('without the attribute, no worker is registered', async () => {
  const context = await site.browser.newContext();
  const page = await context.newPage();
  const plain = PAGE.replace(/ service-worker="[^"]*"/, '');
  await page.route('**/plain.html', (route) => route.fulfill({ contentType: 'text/html', body: plain }));
  await page.goto(`${site.proxy.base}/plain.html`);
  await shownPictures(page, 50);
  await sleep(500); // proves a negative: no registration comes late either
  assert.equal(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length), 0);
  await context.close();
});
