// <cached-profile-picture> in Chromium at device pixel ratios 1 and 2, as a user sees it: each picture is fetched
// once, as the copy that fits its size on that screen; on a first sight over a slow network the preview (its colours,
// drawn as a gradient) stands in for it until it loads; a picture the page knows (the same page, or a reload the HTTP
// cache answers) never shows a stand-in.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { solidPng } from '../../backend/testing/images.ts';
import { startEmbedded } from '../../backend/testing/stack.ts';
import { TEST_ADMIN_TOKEN } from '../../backend/testing/tokens.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs';
import { startCountingProxy, type CountingProxy } from '../testing/counting-proxy.ts';

const USERS = Array.from({ length: 24 }, (_, i) => `sized${i}`);
const SIZE = 48;
const tags = (ids: readonly string[]) =>
  ids
    .map(
      (id, i) => `<cached-profile-picture user-id="${id}" label="Friend ${i}" size="${SIZE}"></cached-profile-picture>`,
    )
    .join('\n');
const PAGE = `<!doctype html><meta charset="utf-8"><title>Friends</title>
<script type="module" src="/cached-profile-picture.js"></script>
<body style="display:flex;flex-wrap:wrap;gap:4px;margin:0">
${tags(USERS)}
</body>`;

let service: Awaited<ReturnType<typeof startEmbedded>>;
let proxy: CountingProxy;
let browser: Browser;

before(async () => {
  service = await startEmbedded('node');
  for (const [i, id] of USERS.entries()) {
    // 600-px uploads: copies of every width, the browser has to pick.
    const res = await fetch(`${service.base}/api/pictures/${id}`, {
      method: 'PUT',
      body: solidPng([i * 10, 90, 160], 600),
      headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    assert.equal(res.status, 201, await res.text());
  }
  proxy = await startCountingProxy(service.base, { '/friends.html': PAGE });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await proxy?.close();
  await service?.stop();
});

/** Waits until every tag shows its decoded picture and nothing stands in for it. */
async function allShown(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('cached-profile-picture')].every((el) => {
        const img = el.shadowRoot?.querySelector<HTMLImageElement>('img[part~="image"]');
        return img?.complete && img.naturalWidth > 0 && !el.shadowRoot!.querySelector('[part~="fallback"]');
      }),
    undefined,
    { timeout: 20_000 },
  );
}

/** Each tag's image: its width on the page in CSS pixels, and the width in pixels of the picture file it shows. */
function shownWidths(page: Page): Promise<{ css: number; file: number; url: string }[]> {
  return page.evaluate(() =>
    Promise.all(
      [...document.querySelectorAll('cached-profile-picture')].map(async (el) => {
        const img = el.shadowRoot!.querySelector<HTMLImageElement>('img[part~="image"]')!;
        // An image from srcset reports its width divided by its density; the same file alone reports its own.
        const file = Object.assign(new Image(), { src: img.currentSrc });
        await file.decode();
        return { css: img.getBoundingClientRect().width, file: file.naturalWidth, url: img.currentSrc };
      }),
    ),
  );
}

/**
 * Counts, from the page's first frame, the tags whose fallback (initials or preview) is visible, frame by frame. A
 * string, not a function: what the test runner compiles would carry its helpers into the page.
 */
const COUNT_STAND_INS = `window.standIns = 0;
requestAnimationFrame(function frame() {
  for (const el of document.querySelectorAll('cached-profile-picture')) {
    if (el.shadowRoot?.querySelector('[part~="fallback"]')?.checkVisibility({ visibilityProperty: true })) window.standIns++;
  }
  requestAnimationFrame(frame);
});`;
const standIns = (page: Page) => page.evaluate(() => (window as unknown as { standIns: number }).standIns);

for (const dpr of [1, 2]) {
  test(`at device pixel ratio ${dpr}, each ${SIZE}-px picture is one request for a file ${SIZE * dpr} to ${4 * SIZE * dpr} pixels wide`, async () => {
    const context = await browser.newContext({ deviceScaleFactor: dpr });
    const page = await context.newPage();
    proxy.forwarded.length = 0;
    await page.goto(`${proxy.base}/friends.html`);
    await allShown(page);
    const shown = await shownWidths(page);
    assert.equal(shown.length, USERS.length);
    for (const { css, file, url } of shown) {
      assert.equal(css, SIZE);
      assert.ok(file >= SIZE * dpr && file <= 4 * SIZE * dpr, `${url}: ${file} pixels wide`);
      assert.ok(url.endsWith(`/${file}.webp`), `${url} names its width`);
    }
    const images = proxy.forwarded.filter((line) => line.includes('/images/'));
    assert.deepEqual(
      images.sort(),
      shown.map(({ url }) => `GET ${new URL(url).pathname}`).sort(),
      'one request per picture, for the copy shown',
    );
    await context.close();
  });
}

test("on a slow first visit the picture's preview stands in until it loads; a known picture never shows a stand-in", async () => {
  const context = await browser.newContext();
  await context.addInitScript({ content: COUNT_STAND_INS });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 300,
    downloadThroughput: 200_000,
    uploadThroughput: 100_000,
  });
  await page.goto(`${proxy.base}/friends.html`);
  // A tag whose picture is still loading shows its preview: a gradient through its colours, no initials over it.
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('cached-profile-picture')].some((el) => {
        const standIn = el.shadowRoot?.querySelector<HTMLElement>('[part~="fallback"]');
        const img = el.shadowRoot?.querySelector<HTMLImageElement>('img[part~="image"]');
        return (
          standIn?.checkVisibility({ visibilityProperty: true }) &&
          /^linear-gradient\(rgb\(.*\), rgb\(.*\), rgb\(.*\)\)$/.test(getComputedStyle(standIn).backgroundImage) &&
          getComputedStyle(standIn).color === 'rgba(0, 0, 0, 0)' &&
          img &&
          !(img.complete && img.naturalWidth > 0)
        );
      }),
    undefined,
    { timeout: 20_000, polling: 'raf' },
  );
  await allShown(page);
  assert.ok((await standIns(page)) > 0, 'stand-ins were counted while the pictures loaded');

  // A reload: the metadata from LocalStorage, the pictures from the HTTP cache.
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: -1,
  });
  await page.reload();
  await allShown(page);
  assert.equal(await standIns(page), 0, 'after a reload, no stand-in in any frame');

  // The same pictures again in the same page, as a list rendered anew.
  await page.evaluate((html) => document.body.insertAdjacentHTML('beforeend', html), tags(USERS));
  await allShown(page);
  await page.waitForTimeout(200);
  assert.equal(await standIns(page), 0, 'pictures the page has decoded: no stand-in in any frame');
  await context.close();
});
