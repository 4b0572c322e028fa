// Node-test helpers for the service worker in a whole browser: the real service (built assets, so /sw.js is the
// built worker) behind a counting proxy that also serves the test's pages, and Chromium driven by playwright-core.
import assert from 'node:assert/strict';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import type { PictureMeta } from '../../contract/picture.ts';
import { startEmbedded } from '../../backend/testing/stack.ts';
import { TEST_ADMIN_TOKEN } from '../../backend/testing/tokens.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs';
import { until } from '../../scripts/testing/wait.ts';
import { startCountingProxy, type CountingProxy } from '../../elements/testing/counting-proxy.ts';
import type { WorkerStats } from '../messages.ts';

export interface Site {
  /** The service's own origin (uploads from the test go there directly, uncounted). */
  service: { base: string };
  /** The pages' origin: what the browser asks for reaches the service through it, counted. */
  proxy: CountingProxy;
  browser: Browser;
  stop(): Promise<void>;
}

/**
 * Starts the service with `env` added to its environment, the proxy serving `pages` (path → HTML) and Chromium with
 * `browserArgs` added.
 */
export async function startSite(
  pages: Record<string, string>,
  browserArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<Site> {
  const service = await startEmbedded('node', env);
  const proxy = await startCountingProxy(service.base, pages);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...browserArgs] });
  return {
    service,
    proxy,
    browser,
    async stop() {
      await browser.close();
      await proxy.close();
      await service.stop();
    },
  };
}

/** Uploads `body` as the user's picture, as the operator, straight to the service. */
export async function upload(base: string, userId: string, body: Uint8Array<ArrayBuffer>): Promise<PictureMeta> {
  const res = await fetch(`${base}/api/pictures/${userId}`, {
    method: 'PUT',
    body,
    headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as PictureMeta;
}

/** A site's own page that registers the worker from its code, as `window.registered`; `window.swManager` is there. */
export const REGISTERING_PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import { swManager } from '/sw-registration.js';
window.swManager = swManager;
window.registered = swManager.register();
</script>`;

/** Opens `path` of the site in a fresh profile, and waits until the worker it registers controls it. */
export async function openControlled(site: Site, path: string): Promise<Page> {
  const page = await (await site.browser.newContext()).newPage();
  await page.goto(`${site.proxy.base}${path}`);
  await page.evaluate(() => (window as unknown as { registered?: Promise<unknown> }).registered);
  await controlled(page);
  return page;
}

/** The drop-in snippet with the worker opted in, around a tag per user. */
export function pictureTags(userIds: readonly string[], serviceWorker: string): string {
  return `<!doctype html><meta charset="utf-8"><title>Friends</title>
<script type="module" src="/cached-profile-picture.js"></script>
<picture-store-provider service-worker="${serviceWorker}"><div style="display:flex;flex-wrap:wrap;gap:4px">
${userIds.map((id) => `<cached-profile-picture user-id="${id}" label="${id}" size="48"></cached-profile-picture>`).join('\n')}
</div></picture-store-provider>`;
}

/** Waits until `count` tags show a decoded image; answers their `src`s. */
export async function shownPictures(page: Page, count: number): Promise<string[]> {
  await page.waitForFunction(
    (n) => {
      const imgs = [...document.querySelectorAll('cached-profile-picture')].map((el) =>
        el.shadowRoot?.querySelector('img'),
      );
      return imgs.filter((img) => img?.complete && img.naturalWidth > 0).length === n;
    },
    count,
    { timeout: 20_000 },
  );
  return page.evaluate(() =>
    [...document.querySelectorAll('cached-profile-picture')].map(
      (el) => el.shadowRoot?.querySelector('img')?.src ?? '',
    ),
  );
}

/** The worker's figures, asked through `swManager` as a site would (`/sw-registration.js`). */
export function workerStats(page: Page): Promise<WorkerStats> {
  return page.evaluate(async () => {
    const { swManager } = await import('/sw-registration.js' as string);
    return swManager.getServiceWorkerStats();
  });
}

/** Waits until a worker controls the page. */
export async function controlled(page: Page): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker?.controller, undefined, { timeout: 10_000 });
}

/** The requests for picture bytes among those the proxy forwarded since the last call; the list starts anew. */
export function takeImageRequests(proxy: CountingProxy): string[] {
  return proxy.forwarded.splice(0).filter((line) => line.includes('/images/'));
}

/**
 * Empties the renderer's memory cache, where a reload finds every picture the page showed, so the pictures go through
 * the worker: Chromium's DevTools handler evicts it when the cache is disabled. Enabled again at once, the HTTP cache
 * and the worker's caches stay as they were (`Network.clearBrowserCache` would clear the HTTP cache too).
 */
export async function emptyMemoryCache(cdp: CDPSession): Promise<void> {
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
}

/**
 * Stops the service workers of the page `cdp` is attached to, as the browser stops an idle one, and waits until they
 * are stopped: the next request that needs one starts it cold.
 */
export async function stopWorkers(cdp: CDPSession): Promise<void> {
  const status = new Map<string, string>();
  const update = ({ versions }: { versions: { versionId: string; runningStatus: string }[] }) => {
    for (const version of versions) status.set(version.versionId, version.runningStatus);
  };
  cdp.on('ServiceWorker.workerVersionUpdated', update);
  await cdp.send('ServiceWorker.enable');
  await cdp.send('ServiceWorker.stopAllWorkers');
  await until(() => status.size && [...status.values()].every((s) => s === 'stopped'), 'the workers to stop');
  cdp.off('ServiceWorker.workerVersionUpdated', update);
  await cdp.send('ServiceWorker.disable');
}
