// Before the bundle has loaded, the tags are unknown inline elements with no size; when it defines them they take
// their size and the text around them moves. The README's snippet gives `cached-profile-picture:not(:defined)` that
// size from the page's own CSS: measured in Chromium (Layout Instability API) on a page of static tags whose bundle
// arrives after the first paint, the layout shift is then zero.
import assert from 'node:assert/strict';
import { after, before, test, type TestContext } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { startEmbedded } from '../../backend/testing/stack.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs';
import { startCountingProxy, type CountingProxy } from '../testing/counting-proxy.ts';

/** As in the README: the default size, and a rule for each other size the page uses. */
const SNIPPET = `cached-profile-picture:not(:defined) {
  display: inline-block;
  flex: none;
  width: 48px;
  height: 48px;
  vertical-align: middle;
  overflow: hidden;
}
/* one rule for each other size the page uses */
cached-profile-picture[size="32"]:not(:defined) {
  width: 32px;
  height: 32px;
}`;

/** An article by one author and a list of ten friends, every picture a static tag, the bundle last. */
const pageWith = (css: string) => `<!doctype html><meta charset="utf-8"><title>Friends</title>
<style>body { margin: 0; font: 16px/1.5 sans-serif; } ${css}</style>
<script>
  window.shifts = [];
  new PerformanceObserver((list) => shifts.push(...list.getEntries().map((entry) => entry.value))).observe({ type: 'layout-shift', buffered: true });
</script>
<h1>Friends</h1>
<p>Written by <cached-profile-picture user-id="author" label="Ada Lovelace"></cached-profile-picture> Ada Lovelace, who
writes about the people she follows and the pictures they choose for themselves.</p>
<ul>${Array.from({ length: 10 }, (_, i) => `<li><cached-profile-picture user-id="friend${i}" label="Friend ${i}" size="32"></cached-profile-picture> Friend ${i}</li>`).join('')}</ul>
<p>The text below the list.</p>
<script type="module" src="/cached-profile-picture.js"></script>`;

let service: Awaited<ReturnType<typeof startEmbedded>>;
let proxy: CountingProxy;
let browser: Browser;

before(async () => {
  service = await startEmbedded('node');
  proxy = await startCountingProxy(service.base, {
    '/without.html': pageWith(''),
    '/with-snippet.html': pageWith(SNIPPET),
  });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await proxy?.close();
  await service?.stop();
});

/**
 * Opens `path` on a phone-sized screen, lets it paint its static tags, then lets the bundle in, and answers the
 * layout shift (CLS) seen.
 */
async function layoutShift(path: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  let release!: () => void;
  const painted = new Promise<void>((resolve) => (release = resolve));
  await context.route('**/cached-profile-picture.js', async (route) => {
    await painted;
    await route.continue();
  });
  const page = await context.newPage();
  await page.goto(`${proxy.base}${path}`, { waitUntil: 'commit' });
  await page.waitForFunction(() => document.readyState !== 'loading');
  const twoFrames = () =>
    page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await twoFrames();
  release();
  await page.waitForFunction(() =>
    [...document.querySelectorAll('cached-profile-picture')].every((tag) =>
      tag.shadowRoot?.querySelector('[part~="fallback"], [part~="image"]'),
    ),
  );
  await twoFrames();
  const shift = await page.evaluate(() =>
    (window as unknown as { shifts: number[] }).shifts.reduce((sum, value) => sum + value, 0),
  );
  await context.close();
  return shift;
}

test('the tags take their size before the bundle loads with the snippet, and nothing moves', async (t: TestContext) => {
  const without = await layoutShift('/without.html');
  const withSnippet = await layoutShift('/with-snippet.html');
  t.diagnostic(
    `layout shift when the bundle upgrades the tags: ${without.toFixed(4)} without the snippet, ${withSnippet.toFixed(4)} with it`,
  );
  assert.ok(without > 0, 'without the snippet the text moves');
  assert.equal(withSnippet, 0);
});
