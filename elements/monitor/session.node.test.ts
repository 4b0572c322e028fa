// The monitor over a scripted session in Chromium, driven from Node because it reloads: a page with one script tag,
// 50 pictures and a <cache-dashboard>, served same-origin (so the Resource Timing API tells the network from the
// HTTP cache); cold, the same 50 again in the page, then a reload. Every figure is checked against what the test
// did, on window.cacheMonitor, on the dashboard, in the exported report and in logSummary(). Screenshots of the
// open dashboard in light and dark are taken (UPDATE_SCREENSHOTS=1 writes them to docs/ for the README).
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { PictureMeta } from '../../contract/picture.ts';
import { noisyPng } from '../../backend/testing/images.ts';
import { startEmbedded } from '../../backend/testing/stack.ts';
import { TEST_ADMIN_TOKEN } from '../../backend/testing/tokens.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs';
import { until } from '../../scripts/testing/wait.ts';
import { startCountingProxy, type CountingProxy } from '../testing/counting-proxy.ts';
import type { CacheMetrics } from './figures.ts';
import { bytes, duration, millis, percent } from './format.ts';

const USERS = Array.from({ length: 50 }, (_, i) => `friend${i}`);
const NAMES = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov'];
const page50 = `<!doctype html><meta charset="utf-8"><title>Friends</title>
<script type="module" src="/cached-profile-picture.js"></script>
<style>body{margin:24px;font:15px system-ui;color:#222}@media (prefers-color-scheme:dark){body{background:#0d1117;color:#ddd}}
#friends{display:flex;flex-wrap:wrap;gap:6px;max-width:520px}</style>
<h1>Friends</h1>
<div id="friends">
${USERS.map((id, i) => `<cached-profile-picture user-id="${id}" label="${NAMES[i % NAMES.length]}" size="48" loading="eager"></cached-profile-picture>`).join('\n')}
</div>
<cache-dashboard></cache-dashboard>`;

let service: Awaited<ReturnType<typeof startEmbedded>>;
let proxy: CountingProxy;
let browser: Browser;
let shots: string;
const metas: PictureMeta[] = [];

before(async () => {
  service = await startEmbedded('node');
  for (const [i, id] of USERS.entries()) {
    const res = await fetch(`${service.base}/api/pictures/${id}`, {
      method: 'PUT',
      body: noisyPng(i + 1, 96),
      headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    assert.equal(res.status, 201);
    metas.push((await res.json()) as PictureMeta);
  }
  proxy = await startCountingProxy(service.base, { '/friends.html': page50 });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  shots = mkdtempSync(join(tmpdir(), 'dashboard-shots-'));
});
after(async () => {
  await browser?.close();
  await proxy?.close();
  await service?.stop();
  rmSync(shots, { recursive: true, force: true });
});

/** Waits until `count` pictures have fired picture-load since the page loaded. */
async function loads(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => (window as unknown as { loads: number }).loads === n, count, { timeout: 15_000 });
}

const metrics = (page: Page) => page.evaluate(() => window.cacheMonitor.getMetrics()) as Promise<CacheMetrics>;

/** What the open dashboard shows for `name` (a total) or a layer's / source's hits. */
const shown = (page: Page, selector: string) =>
  page
    .locator(`cache-dashboard ${selector}`)
    .first()
    .textContent()
    .then((t) => t?.trim());

test('a session of 50 cold, the same 50 again and a reload: the monitor, the dashboard, the export and the summary count exactly that', async () => {
  const context = await browser.newContext({ viewport: { width: 960, height: 820 }, acceptDownloads: true });
  await context.addInitScript(() => {
    const w = window as unknown as { loads: number };
    w.loads = 0;
    addEventListener('picture-load', () => w.loads++);
  });
  const page = await context.newPage();

  await page.goto(`${proxy.base}/friends.html`);
  await loads(page, 50);
  // A picture seen again saves the bytes of the copy each tag shows, the one that fits its size.
  const shownPaths = await page.evaluate(() =>
    [...document.querySelectorAll('cached-profile-picture')].map(
      (el) => new URL(el.shadowRoot!.querySelector('img')!.currentSrc).pathname,
    ),
  );
  const copies = new Map(
    metas.flatMap((meta) => meta.variants).map((copy) => [new URL(copy.url, proxy.base).pathname, copy.bytes]),
  );
  const totalBytes = shownPaths.reduce((sum, path) => sum + copies.get(path)!, 0);
  let m = await metrics(page);
  assert.deepEqual([m.requests, m.hits, m.loads, m.errors, m.stale, m.bytesSaved], [50, 0, 50, 0, 0, 0]);
  assert.equal(m.layers.network.hits, 50);
  assert.equal(m.sources.network.hits, 50, 'every picture fetched once, seen as such');
  const scripts = proxy.forwarded
    .filter((r) => r.endsWith('.js'))
    .map((r) => r.replace(/-[0-9a-f]{10}\.js$/, '-HASH.js'));
  assert.deepEqual(scripts.sort(), [
    'GET /cached-profile-picture-dashboard-HASH.js',
    'GET /cached-profile-picture-indexeddb-HASH.js',
    'GET /cached-profile-picture-report-HASH.js',
    'GET /cached-profile-picture.js',
  ]);

  // The same 50 again in the same page: new tags for the same users.
  await page.evaluate(() => {
    const friends = document.getElementById('friends')!;
    // biome-ignore lint/correctness/noSelfAssign: re-parsing the markup makes new tags for the same users.
    friends.innerHTML = friends.innerHTML;
  });
  await loads(page, 100);
  m = await metrics(page);
  assert.deepEqual([m.requests, m.hits, m.loads, m.bytesSaved], [100, 50, 100, totalBytes]);
  assert.equal(m.layers.memory.hits, 50);
  assert.equal(m.sources.memoryCache.hits, 50, 'the page had every image decoded');

  await page.reload();
  await loads(page, 50);
  m = await metrics(page);
  assert.deepEqual(
    [m.requests, m.hits, m.loads, m.errors, m.stale, m.bytesSaved],
    [150, 100, 150, 0, 0, 2 * totalBytes],
    'the figures from before the reload are kept',
  );
  assert.deepEqual(
    [m.layers.memory.hits, m.layers.localStorage.hits, m.layers.indexedDB.hits, m.layers.network.hits],
    [50, 50, 0, 50],
  );
  assert.deepEqual(
    [m.sources.memoryCache.hits, m.sources.httpCache.hits, m.sources.network.hits, m.sources.unknown.hits],
    [50, 50, 50, 0],
  );
  assert.equal(m.hitRate, 100 / 150);
  assert.equal(typeof m.timeSavedMs, 'number');
  assert.ok(m.period && m.period.end >= m.period.start);

  // The dashboard shows the same numbers.
  await page.click('cache-dashboard [part~="toggle"]');
  await page.waitForFunction(() =>
    document.querySelector('cache-dashboard')?.shadowRoot?.querySelector('[data-figure="backend"]'),
  );
  m = await metrics(page);
  assert.equal(await shown(page, '[data-figure="requests"]'), '150');
  assert.equal(await shown(page, '[data-figure="hit-rate"]'), percent(m.hitRate));
  assert.equal(await shown(page, '[data-figure="hit-rate"]'), '66.7%');
  assert.equal(await shown(page, '[data-figure="mean-load"]'), millis(m.meanLoadMs));
  assert.equal(await shown(page, '[data-figure="bytes-saved"]'), bytes(2 * totalBytes));
  assert.equal(await shown(page, '[data-figure="time-saved"]'), duration(m.timeSavedMs));
  assert.equal(await shown(page, '[data-figure="errors"]'), '0');
  for (const [kind, name] of [
    ['layer', 'memory'],
    ['layer', 'localStorage'],
    ['layer', 'network'],
    ['source', 'httpCache'],
    ['source', 'memoryCache'],
    ['source', 'network'],
  ]) {
    assert.equal(await shown(page, `[data-kind="${kind}"] [data-name="${name}"] [data-hits]`), '50', `${kind} ${name}`);
  }

  // The exported report, downloaded from the dashboard, is JSON a script reads, with the same figures.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.click('cache-dashboard button:text("Export report")'),
  ]);
  assert.match(download.suggestedFilename(), /^cache-report-.+\.json$/);
  const report = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  assert.equal(report.schema, 1);
  assert.deepEqual(report.metrics, await metrics(page));

  // logSummary() prints the original guide's report with these figures.
  const printed: string[] = [];
  page.on('console', (message) => printed.push(message.text()));
  const summary = await page.evaluate(() => window.cacheMonitor.logSummary());
  for (const line of [
    'Total Requests: 150',
    'Cache Hit Rate: 66.7%',
    `Bandwidth Saved: ${bytes(2 * totalBytes)}`,
    'Memory: 50 hits (33.3%)',
    'LocalStorage: 50 hits (33.3%)',
    'HTTP cache: 50 hits (33.3%)',
    'Page memory: 50 hits (33.3%)',
    'Network: 50 hits (33.3%)',
  ]) {
    assert.ok(summary.includes(line), `${line} in\n${summary}`);
  }
  assert.ok(
    printed.some((text) => text.startsWith('🎯 Profile Picture Cache Performance Report')),
    'printed to the console',
  );

  // Screenshots of the open dashboard, light and dark, from the top of its panel.
  await page.evaluate(() => {
    (document.activeElement as HTMLElement | null)?.blur();
    document.querySelector('cache-dashboard')!.shadowRoot!.querySelector('[part~="panel"]')!.scrollTop = 0;
  });
  const files: Record<string, Buffer> = {};
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const file = join(shots, colorScheme === 'light' ? 'dashboard.png' : 'dashboard-dark.png');
    files[colorScheme] = await page.screenshot({ path: file });
    if (process.env.UPDATE_SCREENSHOTS)
      copyFileSync(
        file,
        new URL(`../../docs/${colorScheme === 'light' ? 'dashboard.png' : 'dashboard-dark.png'}`, import.meta.url),
      );
  }
  assert.notDeepEqual(files.light, files.dark, 'dark differs from light');
  await context.close();
});

test("without the dashboard's module (a page that self-hosts the one file), the pictures show, the monitor counts, one warning says why", async () => {
  const context = await browser.newContext();
  await context.route(/cached-profile-picture-dashboard-/, (route) => route.abort());
  await context.addInitScript(() => {
    const w = window as unknown as { loads: number };
    w.loads = 0;
    addEventListener('picture-load', () => w.loads++);
  });
  const page = await context.newPage();
  const warnings: string[] = [];
  page.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));
  await page.goto(`${proxy.base}/friends.html`);
  await loads(page, 50);
  assert.equal((await metrics(page)).loads, 50);
  await until(() => warnings.some((w) => w.includes('<cache-dashboard> is off')), "the dashboard's warning");
  assert.equal(
    await page.evaluate(() => document.querySelector('cache-dashboard')!.shadowRoot!.childElementCount),
    0,
    'the tag renders nothing',
  );
  assert.deepEqual(warnings.filter((w) => w.includes('<cache-dashboard> is off')).length, 1, warnings.join('\n'));
  await context.close();
});

test('a page whose Resource Timing buffer is full: its pictures count as not told, not as saved', async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    performance.setResourceTimingBufferSize(0);
    const w = window as unknown as { loads: number };
    w.loads = 0;
    addEventListener('picture-load', () => w.loads++);
  });
  const page = await context.newPage();
  await page.goto(`${proxy.base}/friends.html`);
  await loads(page, 50);
  const m = await metrics(page);
  assert.deepEqual([m.sources.unknown.hits, m.sources.memoryCache.hits, m.bytesSaved], [50, 0, 0]);
  await context.close();
});
