// A newcomer's first look at the demo, in Chromium, against a fresh service started from its real entry on the
// embedded default (memory cache, files, the demo people seeded), as demo.node.test.ts starts it: the dashboard's
// advice fits that setup, and the friend list reads whole at a desktop's size and explains itself on a phone.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startService, type RunningService } from '../backend/testing/service.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.mjs';
import { FRIENDS } from './people.ts';

const root = new URL('..', import.meta.url).pathname;
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let dataDir: string;
let service: RunningService;
let browser: Browser;

before(async () => {
  await mkdir(join(root, '.data'), { recursive: true });
  dataDir = await mkdtemp(join(root, '.data', 'demo-first-visit-'));
  service = await startService('node', { DATA_DIR: dataDir });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await service?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** Waits until `count` friends show a decoded picture. */
async function friendsShown(page: Page, count: number): Promise<void> {
  await page.waitForFunction(
    (n) =>
      [...document.querySelectorAll('.friends cached-profile-picture')].filter((el) => {
        const img = el.shadowRoot?.querySelector<HTMLImageElement>('img[part="image"]');
        return img?.complete && img.naturalWidth > 0;
      }).length >= n,
    count,
    { timeout: 20_000 },
  );
}

/** Opens the dashboard and answers its advice, rule by rule, once it has been worked out. */
async function advice(page: Page): Promise<{ rule: string; text: string }[]> {
  await page.evaluate(() => document.querySelector('cache-dashboard')!.setAttribute('open', ''));
  const read = () =>
    [...(document.querySelector('cache-dashboard')?.shadowRoot?.querySelectorAll('.advice [data-rule]') ?? [])].map(
      (li) => ({ rule: li.getAttribute('data-rule')!, text: li.textContent! }),
    );
  await page.waitForFunction(`(${read})().length > 0`, undefined, { timeout: 10_000 });
  return page.evaluate(read);
}

for (const [screen, viewport] of [
  ['a desktop', DESKTOP],
  ['a phone', PHONE],
] as const) {
  test(`on ${screen}, a first visit's advice names no Redis and asks for no prefetch, nor calls anything optimal`, async () => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto(`${service.base}/`);
    await friendsShown(page, viewport === DESKTOP ? FRIENDS.length : 5);
    const given = await advice(page);
    const text = given.map((a) => a.text).join('\n');
    assert.doesNotMatch(text, /redis/i, 'the embedded default has no Redis');
    assert.doesNotMatch(text, /prefetch/i, 'the page asked for what it showed in one request');
    assert.doesNotMatch(text, /optimal/i, 'nothing to judge yet, so nothing is called optimal');
    // Before its worker controls it, a page may also be told so; nothing else fits a first visit.
    assert.ok(
      given.every((a) => ['too-early', 'no-service-worker'].includes(a.rule)),
      text,
    );
    if (given.some((a) => a.rule === 'too-early'))
      assert.match(text, /^Not enough to judge yet: every picture so far \(\d+\) was new to this page/m);
    await context.close();
  });
}

test("at 1280 px every friend's name and title show whole, wrapped where long", async () => {
  const page = await browser.newPage({ viewport: DESKTOP });
  await page.goto(`${service.base}/`);
  await friendsShown(page, FRIENDS.length);
  const cut = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.friend strong, .friend span')]
      .filter((el) => el.scrollWidth > el.clientWidth || getComputedStyle(el).textOverflow === 'ellipsis')
      .map((el) => el.textContent),
  );
  assert.deepEqual(cut, []);
  const wrapped = await page
    .locator('.friend strong', { hasText: 'Ingrid Johansson' })
    .evaluate((el) => el.getClientRects().length > 1 || el.clientHeight > parseFloat(getComputedStyle(el).lineHeight));
  assert.ok(wrapped, 'the longest names take two lines');
  assert.equal(await page.locator('.lazy-note').isVisible(), false, 'the list loads whole here: no note');
  await page.close();
});

test('on a phone, where only the friends near the screen load, the page says the others load as they scroll into view', async () => {
  const page = await browser.newPage({ viewport: PHONE });
  await page.goto(`${service.base}/`);
  await friendsShown(page, 5);
  // The first lookup's pictures all in: the page counts every friend within 200 px of the screen, where a tag asks.
  await page.waitForFunction(
    () => {
      const near = [...document.querySelectorAll('.friends cached-profile-picture')].filter(
        (tag) => tag.getBoundingClientRect().top < innerHeight + 200,
      );
      return Number(document.querySelector('[data-fact="shown"]')?.textContent) >= near.length;
    },
    undefined,
    { timeout: 20_000 },
  );
  const shown = Number(await page.locator('[data-fact="shown"]').textContent());
  assert.ok(shown < FRIENDS.length, `only those near the screen: ${shown}`);
  assert.match((await page.locator('.lazy-note').textContent())!, /^Pictures load as they scroll into view/);
  assert.equal(await page.locator('.lazy-note').isVisible(), true);
  await page.close();
});
