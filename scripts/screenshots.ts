// `npm run screenshots`: the demo's pages as a newcomer sees them, into docs/screenshots/ (and docs/demo.png, the
// README's picture). The service starts from its real entry on the embedded default (memory cache, files in a fresh
// folder under ./.data, the demo people seeded), as the demo's tests start it; headless Chromium visits it at a
// desktop's and a phone's size, light and dark.
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startService } from '../backend/testing/service.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'docs/screenshots');

const SCREENS = [
  { name: '1280', viewport: { width: 1280, height: 900 }, isMobile: false },
  { name: '390', viewport: { width: 390, height: 844 }, isMobile: true },
] as const;
const SCHEMES = ['light', 'dark'] as const;

/**
 * Waits until every picture on screen shows: each `<cached-profile-picture>` in the viewport has its image decoded
 * (or, for someone without a picture, its initials), every plain image there is loaded, and the fonts are in; then
 * that it stays so for a moment, so no fade or late layout is caught half way.
 */
async function picturesShown(page: Page): Promise<void> {
  // No named functions inside: tsx would wrap them in a helper the page does not have.
  const shown = () => {
    const onScreen = [...document.querySelectorAll('cached-profile-picture, img')].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.bottom > 0 && r.top < innerHeight && r.width > 0;
    });
    const tags = onScreen.filter((el) => el.localName === 'cached-profile-picture');
    const ready = tags.every((tag) => {
      const img = tag.shadowRoot?.querySelector<HTMLImageElement>('img[part="image"]');
      const standIn = tag.shadowRoot?.querySelector('[part="fallback"]');
      return img ? img.complete && img.naturalWidth > 0 && !standIn : !!standIn;
    });
    const images = onScreen.every((el) => el.localName !== 'img' || (el as HTMLImageElement).complete);
    return ready && images && tags.some((tag) => tag.shadowRoot?.querySelector('img[part="image"]'));
  };
  for (let steady = 0; steady < 2; steady++) {
    await page.waitForFunction(shown, undefined, { timeout: 20_000 });
    await page.waitForTimeout(300);
  }
  await page.evaluate(() => document.fonts.ready);
}

/** Opens the dashboard and waits until its figures and advice are drawn; `advice` scrolls its panel to them. */
async function openDashboard(page: Page, advice: boolean): Promise<void> {
  await page.evaluate(() => document.querySelector('cache-dashboard')!.setAttribute('open', ''));
  await page.waitForFunction(
    () => {
      const root = document.querySelector('cache-dashboard')?.shadowRoot;
      return root?.querySelector('.advice [data-rule]') && root.querySelector('[data-figure="backend"]');
    },
    undefined,
    { timeout: 10_000 },
  );
  await page.evaluate((toAdvice) => {
    (document.activeElement as HTMLElement | null)?.blur();
    const panel = document.querySelector('cache-dashboard')!.shadowRoot!.querySelector<HTMLElement>('[part~="panel"]')!;
    panel.scrollTop = toAdvice ? panel.scrollHeight : 0;
  }, advice);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/**
 * One visitor's session at one size and scheme: the friend list (a first visit, then a reload, which is what the
 * README's picture shows), the profile and pictures pages, then the friend list again with the dashboard open.
 */
async function session(
  browser: Browser,
  base: string,
  screen: (typeof SCREENS)[number],
  scheme: (typeof SCHEMES)[number],
): Promise<string[]> {
  const context = await browser.newContext({
    viewport: screen.viewport,
    isMobile: screen.isMobile,
    hasTouch: screen.isMobile,
    colorScheme: scheme,
  });
  const page = await context.newPage();
  const written: string[] = [];
  const shoot = async (name: string) => {
    const path = join(out, `${name}-${screen.name}-${scheme}.png`);
    await page.screenshot({ path });
    written.push(path);
  };
  try {
    await page.goto(`${base}/`);
    await picturesShown(page);
    await page.reload();
    await picturesShown(page);
    await shoot('friends');
    for (const name of ['profile', 'pictures']) {
      await page.goto(`${base}/${name}`);
      await picturesShown(page);
      await shoot(name);
    }
    await page.goto(`${base}/`);
    await picturesShown(page);
    await openDashboard(page, false);
    await shoot('dashboard');
    await openDashboard(page, true);
    await shoot('dashboard-advice');
  } finally {
    await context.close();
  }
  return written;
}

await mkdir(join(root, '.data'), { recursive: true });
const dataDir = await mkdtemp(join(root, '.data', 'screenshots-'));
const service = await startService('node', { DATA_DIR: dataDir });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  await mkdir(out, { recursive: true });
  for (const screen of SCREENS) {
    for (const scheme of SCHEMES) {
      for (const path of await session(browser, service.base, screen, scheme)) console.log(path.slice(root.length));
    }
  }
  await copyFile(join(out, 'friends-1280-light.png'), join(root, 'docs/demo.png'));
  console.log('docs/demo.png (friends-1280-light.png)');
} finally {
  await browser.close();
  await service.stop();
  await rm(dataDir, { recursive: true, force: true });
}
