// Forced colours (Windows' contrast themes), emulated in Chromium, on a small page of pictures and the open
// dashboard, in a light and a dark theme: they paint every background as the page's Canvas, so what colour alone drew
// must be drawn otherwise. Each fallback keeps its edge and its initials, each bar stays apart from its track, and
// the focus ring shows; a screenshot checks a bar in pixels.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { solidPng } from '../../backend/testing/images.ts';
import { startEmbedded } from '../../backend/testing/stack.ts';
import { TEST_ADMIN_TOKEN } from '../../backend/testing/tokens.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs';
import type { MonitorState } from '../monitor/state.ts';
import { startCountingProxy, type CountingProxy } from '../testing/counting-proxy.ts';

/** 8 resolutions, so every bar has a share: half of them from the network. */
const FIGURES: MonitorState = {
  since: Date.parse('2026-11-27T09:00:00Z'),
  until: Date.parse('2026-11-27T09:01:00Z'),
  layers: {
    memory: { count: 4, totalMs: 8, samples: [2, 2, 2, 2] },
    network: { count: 4, totalMs: 8, samples: [2, 2, 2, 2] },
  },
  sources: {
    httpCache: { count: 4, totalMs: 8, samples: [2, 2, 2, 2] },
    network: { count: 4, totalMs: 8, samples: [2, 2, 2, 2] },
  },
  bytesSaved: 54_000,
  errors: 0,
  stale: 0,
  history: [{ at: Date.parse('2026-11-27T09:00:00Z'), requests: 8, hits: 4 }],
};

const PAGE = `<!doctype html><meta charset="utf-8"><title>Forced colours</title>
<body style="margin:16px;font:14px system-ui">
<main>
  <cached-profile-picture user-id="forced-ada" label="Ada Lovelace" size="64"></cached-profile-picture>
  <cached-profile-picture user-id="user-0" label="Grace Hopper" size="64"></cached-profile-picture>
  <cached-profile-picture user-id="user-3" label="Alan Turing" size="64"></cached-profile-picture>
  <cached-profile-picture user-id="nobody" size="64"></cached-profile-picture>
  <cached-profile-picture user-id="user-7" label="Katherine Johnson" size="32" decorative></cached-profile-picture> Katherine Johnson
</main>
<cache-dashboard></cache-dashboard>
<script type="module">
  import '/cached-profile-picture.js';
  addEventListener('picture-load', async () => {
    await cacheMonitor.restore(JSON.stringify({ schema: 1, exportedAt: new Date().toISOString(), metrics: {}, state: ${JSON.stringify(FIGURES)} }));
    window.figuresRestored = true;
  }, { once: true });
</script>
</body>`;

let service: Awaited<ReturnType<typeof startEmbedded>>;
let proxy: CountingProxy;
let browser: Browser;

before(async () => {
  service = await startEmbedded('node');
  const res = await fetch(`${service.base}/api/pictures/forced-ada`, {
    method: 'PUT',
    body: solidPng([40, 120, 200], 128),
    headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  assert.equal(res.status, 201, await res.text());
  proxy = await startCountingProxy(service.base, { '/forced.html': PAGE });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await proxy?.close();
  await service?.stop();
});

/** Each fallback's colours as forced: its background, edge and text. */
const fallbacks = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('cached-profile-picture')].flatMap((el) => {
      const part = el.shadowRoot!.querySelector('[part~="fallback"]');
      if (!part) return [];
      const style = getComputedStyle(part);
      return [
        {
          id: el.getAttribute('user-id'),
          background: style.backgroundColor,
          edge: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
          text: style.color,
        },
      ];
    }),
  );

/** Each bar with a share: the colours of its fill and its track, and the track's edge. */
const bars = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelector('cache-dashboard')!.shadowRoot!.querySelectorAll<HTMLElement>('.bar')]
      .filter((track) => Number(track.firstElementChild!.getAttribute('data-share')) > 0)
      .map((track) => {
        const style = getComputedStyle(track);
        return {
          name: track.closest('li')!.dataset.name,
          fill: getComputedStyle(track.firstElementChild!).backgroundColor,
          track: style.backgroundColor,
          edge: `${style.borderTopStyle} ${style.borderTopColor}`,
        };
      }),
  );

for (const colorScheme of ['light', 'dark'] as const) {
  test(`forced colours in a ${colorScheme} theme: fallbacks keep their edge, bars their fill, focus its ring`, async () => {
    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    await page.emulateMedia({ forcedColors: 'active', colorScheme });
    await page.goto(`${proxy.base}/forced.html`);
    await page.waitForFunction(() => (window as { figuresRestored?: boolean }).figuresRestored);
    const [canvas, canvasText] = await page.evaluate(() => {
      const probe = document.body.appendChild(document.createElement('i'));
      probe.style.background = 'Canvas';
      return [getComputedStyle(probe).backgroundColor, getComputedStyle(probe).color];
    });
    assert.notEqual(canvas, canvasText);

    await page.waitForFunction(() =>
      [...document.querySelectorAll('cached-profile-picture')]
        .slice(1)
        .every((el) =>
          el.shadowRoot!.querySelector('[part~="fallback"]')?.checkVisibility({ visibilityProperty: true }),
        ),
    );
    const shown = await fallbacks(page);
    assert.deepEqual(
      shown.map((f) => f.id),
      ['user-0', 'user-3', 'nobody', 'user-7'],
    );
    for (const fallback of shown) {
      assert.deepEqual(
        fallback,
        { id: fallback.id, background: canvas, edge: `solid 1px ${canvasText}`, text: canvasText },
        "the page's colours, and an edge",
      );
    }

    // The toggle, from the keyboard: its ring; open, every bar with a share.
    await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => {
      const style = getComputedStyle(document.querySelector('cache-dashboard')!.shadowRoot!.activeElement!);
      return {
        style: style.outlineStyle,
        width: style.outlineWidth,
        colour: style.outlineColor,
        background: style.backgroundColor,
      };
    });
    assert.deepEqual([ring.style, ring.width], ['solid', '2px']);
    assert.notEqual(ring.colour, ring.background, 'the focus ring shows on the toggle');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() =>
      document
        .querySelector('cache-dashboard')!
        .shadowRoot!.querySelector('[data-kind="source"] [data-name="network"]'),
    );
    const drawn = await bars(page);
    assert.equal(drawn.length, 4);
    for (const bar of drawn) {
      assert.notEqual(bar.fill, bar.track, `${bar.name}: the fill shows on its track`);
      assert.equal(bar.edge, `solid ${canvasText}`, `${bar.name}: the track has an edge`);
    }

    // In pixels: the network bar, half full, is the page's text colour on its left and the page's colour on its right.
    const track = page.locator('cache-dashboard').locator('[data-kind="source"] [data-name="network"] .bar');
    const box = (await track.boundingBox())!;
    const { data, info } = await sharp(await page.screenshot({ clip: box }))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const pixel = (x: number) =>
      `rgb(${[...data.subarray((Math.floor(info.height / 2) * info.width + x) * 3, (Math.floor(info.height / 2) * info.width + x) * 3 + 3)].join(', ')})`;
    assert.deepEqual(
      [pixel(Math.round(info.width / 4)), pixel(Math.round((info.width * 3) / 4))],
      [canvasText, canvas],
    );
    await page.close();
  });
}
