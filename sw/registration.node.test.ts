// swManager as a site uses it (`/sw-registration.js` from the service), in Chromium: the update flow, the message
// API's answers, and the one warning on a plain-HTTP site where no worker can be registered.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium, type Page } from 'playwright-core';
import { solidPng } from '../backend/testing/images.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.mjs';
import { until } from '../scripts/testing/wait.ts';
import {
  controlled,
  openControlled,
  pictureTags,
  REGISTERING_PAGE,
  shownPictures,
  startSite,
  upload,
  workerStats,
  type Site,
} from './testing/site.ts';

/** A host name that is not localhost, resolved to 127.0.0.1 by the browser alone. */
const PLAIN_HOST = 'pictures.test';

let site: Site;
before(async () => {
  site = await startSite({ '/site.html': REGISTERING_PAGE, '/friends.html': pictureTags(['ada', 'bob'], '/sw.js') });
  await upload(site.service.base, 'ada', solidPng([200, 0, 0], 16));
  await upload(site.service.base, 'bob', solidPng([0, 200, 0], 16));
});
after(() => site?.stop());

type Manager = typeof import('./registration.ts').swManager;
/** Calls `swManager` in the page, with `arg`. */
function manager<T, A = undefined>(page: Page, call: (swManager: Manager, arg: A) => Promise<T>, arg?: A): Promise<T> {
  return page.evaluate(
    `window.registered.then(() => (${call.toString()})(window.swManager, ${JSON.stringify(arg ?? null)}))`,
  ) as Promise<T>;
}

const controllerUrl = (page: Page) => page.evaluate(() => navigator.serviceWorker.controller?.scriptURL);

test('a new worker waits: the page is told, nothing reloads, and it takes over when the page says so', async () => {
  const page = await openControlled(site, '/site.html');
  const first = await controllerUrl(page);
  assert.equal(first, `${site.proxy.base}/sw.js`);
  await page.evaluate(() => {
    Object.assign(window, { marker: 'the same page', updates: 0 });
    addEventListener('picture-worker-update', () => (window as unknown as { updates: number }).updates++);
  });

  // New settings are a new script: the browser installs it as an update.
  await manager(page, (swManager) => swManager.register({ maxEntries: 150 }));
  await page.waitForFunction(() => (window as unknown as { updates: number }).updates === 1);
  assert.equal(await controllerUrl(page), first, 'the old worker still serves the page');
  assert.equal((await workerStats(page)).maxEntries, 200);

  assert.equal(await manager(page, (swManager) => swManager.applyUpdate()), true);
  assert.equal(await controllerUrl(page), `${site.proxy.base}/sw.js?maxEntries=150`);
  assert.equal((await workerStats(page)).maxEntries, 150);
  assert.equal(
    await page.evaluate(() => (window as unknown as { marker: string }).marker),
    'the same page',
    'no reload',
  );
  assert.equal(await manager(page, (swManager) => swManager.applyUpdate()), false, 'nothing waits any more');
  await page.context().close();
});

test('the message API through swManager: figures, invalidation and clearing', async () => {
  const page = await openControlled(site, '/site.html');
  const ada = await (await fetch(`${site.service.base}/api/pictures/ada`)).json();
  const bob = await (await fetch(`${site.service.base}/api/pictures/bob`)).json();
  for (const meta of [ada, bob])
    await page.evaluate((path) => fetch(path).then((res) => res.blob()), new URL(meta.url, site.proxy.base).pathname);
  await until(async () => (await workerStats(page)).totalEntries === 2, 'the worker to keep both pictures', 15_000);

  const cacheStats = await manager(page, (swManager) => swManager.getCacheStats());
  assert.deepEqual(Object.keys(cacheStats ?? {}).sort(), [
    'expiredEntries',
    'totalEntries',
    'totalSizeKB',
    'totalSizeMB',
    'validEntries',
  ]);
  assert.deepEqual(
    { ...cacheStats, totalSizeKB: 0 },
    { totalEntries: 2, validEntries: 2, expiredEntries: 0, totalSizeKB: 0, totalSizeMB: '0.00' },
  );
  assert.equal(cacheStats!.totalSizeKB, Math.round((ada.bytes + bob.bytes) / 1024));
  const full = await page.evaluate(() =>
    import('/sw-registration.js' as string).then((module) => module.getServiceWorkerStats()),
  );
  assert.deepEqual({ misses: full.misses, hits: full.hits, stale: full.stale }, { misses: 2, hits: 0, stale: 0 });
  assert.equal(
    await manager(page, async (swManager) => (await swManager.getRegistration())?.active?.scriptURL),
    `${site.proxy.base}/sw.js`,
  );

  assert.equal(await manager(page, (swManager) => swManager.invalidate('ada')), 1);
  assert.equal(await manager(page, (swManager, version) => swManager.invalidateVersion(version), bob.version), 1);
  assert.equal((await workerStats(page)).totalEntries, 0);
  await page.evaluate((path) => fetch(path).then((res) => res.blob()), new URL(bob.url, site.proxy.base).pathname);
  assert.equal(await manager(page, (swManager) => swManager.clearCache()), true);
  assert.equal((await workerStats(page)).totalEntries, 0);
  await assert.rejects(
    manager(page, (swManager) => swManager.invalidate('not an id')),
    /Invalid user id "not an id"/,
  );
  await assert.rejects(
    manager(page, (swManager) => swManager.register({ maxBytes: -1 })),
    /maxBytes must be a whole number above 0, not -1/,
  );
  await page.context().close();
});

test('the store asks the worker to forget what it forgets', async () => {
  const page = await (await site.browser.newContext()).newPage();
  await page.goto(`${site.proxy.base}/friends.html`);
  await shownPictures(page, 2);
  await controlled(page);
  await until(async () => (await workerStats(page)).totalEntries === 2, 'the worker to keep both pictures', 15_000);
  const store = 'document.querySelector("picture-store-provider").store';
  await page.evaluate(`${store}.invalidate("ada")`);
  await until(async () => (await workerStats(page)).totalEntries === 1, 'the worker to drop ada', 15_000);
  await page.evaluate(`${store}.clear()`);
  await until(async () => (await workerStats(page)).totalEntries === 0, 'the worker to empty its cache', 15_000);
  await page.context().close();
});

test('over plain HTTP on a host other than localhost: pictures show, no worker, one warning that says why', async () => {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${PLAIN_HOST} 127.0.0.1`],
  });
  try {
    const page = await browser.newPage();
    const warnings: string[] = [];
    page.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));
    const origin = `http://${PLAIN_HOST}:${new URL(site.proxy.base).port}`;
    await page.goto(`${origin}/friends.html`);
    await shownPictures(page, 2);
    assert.equal(await page.evaluate(() => 'serviceWorker' in navigator), false);
    // A second call (the site's own, say) adds no second warning.
    await page.evaluate(() => import('/sw-registration.js' as string).then((module) => module.swManager.register()));
    const why = warnings.filter((text) => text.includes('service worker'));
    assert.equal(why.length, 1, why.join('\n'));
    assert.match(
      why[0]!,
      new RegExp(`No service worker registered: ${origin} is served over plain HTTP.*only on HTTPS`),
    );
  } finally {
    await browser.close();
  }
});
