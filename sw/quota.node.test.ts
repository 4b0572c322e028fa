// A full disk, for real: Chromium's quota for the page's origin is made small (DevTools protocol,
// Storage.overrideQuotaForOrigin), so `cache.put` in the worker throws a genuine QuotaExceededError. The worker must
// make room by evicting its oldest pictures, and keep the rest.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { noisyPng } from '../backend/testing/images.ts';
import type { PictureMeta } from '../contract/picture.ts';
import { openControlled, REGISTERING_PAGE, startSite, upload, workerStats, type Site } from './testing/site.ts';

const QUOTA_BYTES = 250 * 1024;

let site: Site;
let pictures: PictureMeta[];
before(async () => {
  // Uploads of noise, which does not compress: each picture's widest copy (200 px) is about 28 KB, 20 of them more
  // than twice the quota.
  site = await startSite({ '/quota.html': REGISTERING_PAGE }, [], { MAX_UPLOAD_BYTES: String(1024 * 1024) });
  pictures = [];
  for (let i = 0; i < 20; i++) pictures.push(await upload(site.service.base, `hoarder${i}`, noisyPng(i + 1, 200)));
});
after(() => site?.stop());

/** Fetches a picture from the page and answers how the worker served it. */
function fetchFrom(page: Page, meta: PictureMeta): Promise<string | undefined> {
  return page.evaluate(async (path) => {
    await (await fetch(path)).arrayBuffer();
    const entry = performance.getEntriesByName(new URL(path, location.href).href).at(-1) as PerformanceResourceTiming;
    performance.clearResourceTimings();
    return entry.serverTiming.find((timing) => timing.name === 'sw-cache')?.description;
  }, new URL(meta.url, site.proxy.base).pathname);
}

test('when the disk is full, the oldest pictures make room for the new one, and the rest stay', async () => {
  const page = await openControlled(site, '/quota.html');
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: site.proxy.base, quotaSize: QUOTA_BYTES });
  const warnings: string[] = [];
  page.context().on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));

  for (const meta of pictures) assert.equal(await fetchFrom(page, meta), 'miss');
  const stats = await workerStats(page);
  const total = pictures.reduce((sum, meta) => sum + meta.bytes, 0);
  assert.ok(total > 2 * QUOTA_BYTES, `the pictures (${total} bytes) are well over the quota`);
  assert.ok(stats.totalEntries >= 3, `not emptied: ${stats.totalEntries} pictures kept`);
  assert.ok(stats.totalEntries < pictures.length, `some went: ${stats.totalEntries} of ${pictures.length} kept`);
  assert.ok(stats.totalSizeKB * 1024 <= QUOTA_BYTES, `within the quota: ${stats.totalSizeKB} KB`);
  assert.equal(await fetchFrom(page, pictures.at(-1)!), 'hit', 'the newest is kept');
  assert.equal(await fetchFrom(page, pictures.at(-2)!), 'hit', 'and the one before it');
  assert.deepEqual(
    warnings.filter((text) => text.includes('could not keep')),
    [],
    'every picture found room',
  );
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: site.proxy.base });
  await page.context().close();
});
