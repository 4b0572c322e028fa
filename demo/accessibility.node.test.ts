// The demo against WCAG 2.2 AA, in Chromium, against a fresh service started from its real entry as
// demo.node.test.ts starts it: axe-core finds nothing on any page, light or dark, with the dashboard open or closed,
// at a desktop's width and at 320 px, where nothing scrolls sideways; the keyboard reaches every link of the header,
// the drop zone and the dashboard's toggle, each with a focus ring a user can see and nothing covers, the open panel
// included; the friend list's figures are not read out at every picture; and a cold load moves nothing, even when
// the page arrives in pieces and the scripts after its first paint.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AxeResults } from 'axe-core';
import { chromium, type Browser, type ElementHandle, type Page } from 'playwright-core';
import sharp from 'sharp';
import { startService, type RunningService } from '../backend/testing/service.ts';
import { startCountingProxy } from '../elements/testing/counting-proxy.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.mjs';
import { until } from '../scripts/testing/wait.ts';
import { NEWCOMERS } from './people.ts';

const root = new URL('..', import.meta.url).pathname;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const PAGES = ['/', '/profile', '/pictures'];
const SCREENS = [
  { name: '1280 px', viewport: { width: 1280, height: 900 } },
  { name: '320 px', viewport: { width: 320, height: 640 } },
];
/** The header's links and the dashboard's toggle, on every page, as the keyboard meets them. */
const EVERY_PAGE = [
  'link "Circles"',
  'link "Friends"',
  'link "Profile"',
  'link "Pictures"',
  'link "Sam, your profile"',
  'button "Cache"',
];
const DROP_ZONE = 'button "Drop a picture here or choose a file"';
/** Contrast between a focused and an unfocused pixel that counts as a visible change (WCAG's 3:1 for non-text). */
const VISIBLE_CONTRAST = 3;

let dataDir: string;
let service: RunningService;
let browser: Browser;

before(async () => {
  await mkdir(join(root, '.data'), { recursive: true });
  dataDir = await mkdtemp(join(root, '.data', 'demo-a11y-'));
  service = await startService('node', { DATA_DIR: dataDir });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  // The pages are judged with every picture in: wait for the demo people's pictures to be drawn and uploaded.
  await until(() => /\[demo\] (seeded|all)/.test(service.output()), 'the demo people to be seeded', 60_000);
});
after(async () => {
  await browser?.close();
  await service?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/**
 * Waits until the page shows what it will show: every picture on screen in (the newcomers' fallbacks), the pictures
 * page's files listed, then a frame drawn.
 */
async function settled(page: Page): Promise<void> {
  // No named functions inside page functions: tsx would wrap them in a helper the page does not have.
  await page.waitForFunction(
    (newcomers) =>
      [...document.querySelectorAll('cached-profile-picture')].every((tag) => {
        const r = tag.getBoundingClientRect();
        if (r.bottom <= 0 || r.top >= innerHeight) return true; // asked for only as it nears the screen
        const img = tag.shadowRoot?.querySelector<HTMLImageElement>('img[part="image"]');
        const fallback = tag.shadowRoot?.querySelector('[part="fallback"]');
        return newcomers.includes(tag.getAttribute('user-id')!)
          ? !!fallback
          : !!img?.complete && img.naturalWidth > 0 && !fallback;
      }),
    NEWCOMERS.map((n) => n.id),
    { timeout: 20_000 },
  );
  if (new URL(page.url()).pathname === '/pictures')
    await page.locator('[data-files] figure').first().waitFor({ state: 'attached' });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** Opens the dashboard with its toggle and waits for its figures and advice. */
async function openDashboard(page: Page): Promise<void> {
  await page.locator('cache-dashboard [part~="toggle"]').click();
  await page.locator('cache-dashboard .advice [data-rule]').first().waitFor();
}

for (const screen of SCREENS) {
  for (const scheme of ['light', 'dark'] as const) {
    test(`at ${screen.name} in ${scheme}, axe-core finds no WCAG 2.2 AA violation on any page, dashboard closed or open`, async () => {
      const page = await browser.newPage({ viewport: screen.viewport });
      await page.emulateMedia({ colorScheme: scheme });
      const found: string[] = [];
      for (const path of PAGES) {
        for (const dashboard of ['closed', 'open']) {
          await page.goto(`${service.base}${path}`);
          await settled(page);
          if (dashboard === 'open') await openDashboard(page);
          await page.addScriptTag({ path: AXE });
          const { violations } = await page.evaluate(
            (tags) =>
              (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe.run(
                document,
                { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] },
              ),
            WCAG_22_AA,
          );
          for (const v of violations)
            found.push(
              `${path}, dashboard ${dashboard}: ${v.id} (${v.help}) at ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`,
            );
        }
      }
      await page.close();
      assert.deepEqual(found, []);
    });
  }
}

test("at 320 px no page scrolls sideways, dashboard closed or open, and nothing runs into a card's padding, on any snippet tab", async () => {
  const page = await browser.newPage({ viewport: { width: 320, height: 640 } });
  const wide: string[] = [];
  const outside = () =>
    page.evaluate(() =>
      [...document.querySelectorAll('.card *')]
        .filter((el) => {
          const card = el.closest('.card')!;
          const r = el.getBoundingClientRect();
          return (
            r.width > 0 &&
            r.right > card.getBoundingClientRect().right - parseFloat(getComputedStyle(card).paddingRight) + 0.5
          );
        })
        .map((el) => `${el.localName} "${el.textContent!.trim().slice(0, 40)}"`),
    );
  for (const path of PAGES) {
    await page.goto(`${service.base}${path}`);
    await settled(page);
    for (const element of await outside()) wide.push(`${path}: ${element} past its card's padding`);
    for (const tab of (await page.getByRole('tab').all()).slice(1)) {
      await tab.click();
      for (const element of await outside())
        wide.push(`${path}, tab ${await tab.textContent()}: ${element} past its card's padding`);
    }
    for (const dashboard of ['closed', 'open']) {
      if (dashboard === 'open') await openDashboard(page);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.scrollingElement!.scrollWidth,
        clientWidth: document.scrollingElement!.clientWidth,
      }));
      if (scrollWidth > clientWidth)
        wide.push(`${path}, dashboard ${dashboard}: ${scrollWidth} px wide in ${clientWidth}`);
    }
  }
  assert.deepEqual(wide, []);
  await page.close();
});

/** The focused element (inside shadow roots too), with what a user sees of it. */
interface Focus {
  /** Its role and name, as a screen reader says them (`link "Friends"`), without its state (`[expanded]`). */
  name: string;
  /** The box that shows the focus: the element's, or its label's for an input hidden in it (the drop zone). */
  box: { x: number; y: number; width: number; height: number };
  /** Whether any part of that box is on top, under neither the dashboard's panel nor anything else. */
  shown: boolean;
  panelOpen: boolean;
}

/** The element the keyboard is on, or `undefined` while focus is outside the page (past its last element). */
async function focused(page: Page): Promise<{ focus: Focus; handle: ElementHandle } | undefined> {
  const handle = await page.evaluateHandle(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el === document.body ? null : el;
  });
  const element = handle.asElement();
  if (!element) return undefined;
  const seen = await element.evaluate((el): Omit<Focus, 'name'> => {
    const input = el as HTMLInputElement;
    const own = el.getBoundingClientRect();
    const indicator = own.width <= 1 && own.height <= 1 && input.labels?.[0] ? input.labels[0] : el;
    const r = indicator.getBoundingClientRect();
    let shown = false;
    for (let i = 0; i < 49 && !shown; i++) {
      const x = r.left + (r.width * ((i % 7) + 0.5)) / 7;
      const y = r.top + (r.height * (Math.floor(i / 7) + 0.5)) / 7;
      if (x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) continue;
      let top = document.elementFromPoint(x, y);
      while (top?.shadowRoot) {
        const inner = top.shadowRoot.elementFromPoint(x, y);
        if (!inner || inner === top) break;
        top = inner;
      }
      for (let n: Node | null = top; n && !shown; n = n.parentNode ?? (n as ShadowRoot).host ?? null)
        shown = n === indicator;
    }
    return {
      box: { x: r.x, y: r.y, width: r.width, height: r.height },
      shown,
      panelOpen: document.querySelector('cache-dashboard')?.hasAttribute('open') ?? false,
    };
  });
  // Its role and name as assistive technology gets them: the first line of its accessibility snapshot.
  const tree = await page.locator(':focus').last().ariaSnapshot();
  return { focus: { name: /^- ([\w-]+(?: "[^"]*")?)/.exec(tree)![1]!, ...seen }, handle: element };
}

/** A screenshot of `box` and the ring around it, within the viewport. */
function around(page: Page, box: Focus['box']): Promise<Buffer> {
  const { width, height } = page.viewportSize()!;
  const x = Math.max(0, box.x - 8);
  const y = Math.max(0, box.y - 8);
  const clip = {
    x,
    y,
    width: Math.min(width, box.x + box.width + 8) - x,
    height: Math.min(height, box.y + box.height + 8) - y,
  };
  return page.screenshot({ clip, animations: 'disabled' });
}

/** How many pixels differ between two screenshots of the same place by at least `VISIBLE_CONTRAST`. */
async function visibleChange(a: Buffer, b: Buffer): Promise<number> {
  const [x, y] = await Promise.all([a, b].map((png) => sharp(png).removeAlpha().raw().toBuffer()));
  const luminance = (pixels: Buffer, i: number) => {
    const [r, g, b] = [0, 1, 2].map((c) => {
      const v = pixels[i + c]! / 255;
      return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  let changed = 0;
  for (let i = 0; i < x.length; i += 3) {
    const [l1, l2] = [luminance(x, i), luminance(y!, i)].sort((p, q) => q - p);
    if ((l1! + 0.05) / (l2! + 0.05) >= VISIBLE_CONTRAST) changed++;
  }
  return changed;
}

/**
 * Whether the focused element's ring shows: at least as many pixels change by 3:1 when it takes focus as a ring one
 * pixel wide around it has. Focus leaves it for the comparison, and comes back.
 */
async function ringShows(page: Page, { focus, handle }: Stop): Promise<boolean> {
  const withFocus = await around(page, focus.box);
  await handle.evaluate((el) => (el as HTMLElement).blur());
  const without = await around(page, focus.box);
  await handle.evaluate((el) => (el as HTMLElement).focus());
  return (await visibleChange(withFocus, without)) >= 2 * (focus.box.width + focus.box.height);
}

type Stop = NonNullable<Awaited<ReturnType<typeof focused>>>;

/**
 * Presses Tab (or `key`), showing `visit` each element reached, until it answers true or focus has gone once round
 * the page (back to where it was, or to the first element reached when nothing had focus).
 */
async function tabThrough(page: Page, visit: (stop: Stop) => Promise<boolean>, key = 'Tab'): Promise<void> {
  let start = (await focused(page))?.focus.name;
  for (let presses = 0; presses < 200; presses++) {
    await page.keyboard.press(key);
    const stop = await focused(page);
    if (!stop) continue;
    if (stop.focus.name === start) return;
    start ??= stop.focus.name;
    if (await visit(stop)) return;
  }
  assert.fail('200 presses of Tab and focus never came round');
}

for (const screen of SCREENS) {
  for (const path of PAGES) {
    test(`at ${screen.name} on ${path}, the keyboard reaches every header link, ${path === '/profile' ? 'the drop zone, ' : ''}the dashboard's toggle, each with a ring nothing hides, the open panel included`, async () => {
      const page = await browser.newPage({ viewport: screen.viewport });
      await page.goto(`${service.base}${path}`);
      await settled(page);

      const reached: string[] = [];
      const unseen: string[] = [];
      await tabThrough(page, async (stop) => {
        reached.push(stop.focus.name);
        if (!stop.focus.shown) unseen.push(`${stop.focus.name}: covered`);
        else if (!(await ringShows(page, stop))) unseen.push(`${stop.focus.name}: no visible focus ring`);
        return stop.focus.name === 'button "Cache"';
      });
      const expected = path === '/profile' ? [...EVERY_PAGE, DROP_ZONE] : EVERY_PAGE;
      assert.deepEqual(
        expected.filter((name) => !reached.includes(name)),
        [],
        `not reached by Tab; reached: ${reached.join(', ')}`,
      );
      assert.deepEqual(unseen, []);

      // The panel opened from the keyboard on the toggle, then a whole round forwards (through the panel first) and
      // one backwards (into the page first), each back to the toggle.
      const hidden: string[] = [];
      for (const key of ['Tab', 'Shift+Tab']) {
        if (!(await page.locator('cache-dashboard[open]').count())) await page.keyboard.press('Enter');
        await page.locator('cache-dashboard [part~="panel"]').waitFor();
        await tabThrough(
          page,
          async ({ focus }) => {
            if (!focus.shown) hidden.push(`${key}: ${focus.name} (panel ${focus.panelOpen ? 'open' : 'closed'})`);
            return false; // all the way round
          },
          key,
        );
      }
      assert.deepEqual(hidden, [], 'focused, but entirely covered');
      await page.close();
    });
  }
}

test("the drop zone's focus ring is not its hover style: focused and hovered look apart", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${service.base}/profile`);
  await settled(page);
  let zone: Focus['box'] | undefined;
  await tabThrough(page, async ({ focus }) => {
    if (focus.name === DROP_ZONE) zone = focus.box;
    return !!zone;
  });
  const focusedShot = await around(page, zone!);
  await page.evaluate(() => (document.activeElement as HTMLElement).blur());
  await page.mouse.move(zone!.x + zone!.width / 2, zone!.y + zone!.height / 2);
  const hoveredShot = await around(page, zone!);
  const apart = await visibleChange(focusedShot, hoveredShot);
  assert.ok(apart >= 2 * (zone!.width + zone!.height), `only ${apart} pixels tell focus from hover`);
  await page.close();
});

test('while the friend list loads, a screen reader is told at most once', async () => {
  // Tall enough that all 50 friends are near the viewport, so the list loads whole.
  const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
  // Every change inside a live region from the first byte: each is an announcement.
  await page.addInitScript(() => {
    const w = window as unknown as { announcements: number };
    w.announcements = 0;
    new MutationObserver((records) => {
      const live = '[aria-live]:not([aria-live="off"]), [role="status"], [role="log"], [role="alert"]';
      if (records.some((r) => (r.target instanceof Element ? r.target : r.target.parentElement)?.closest(live)))
        w.announcements++;
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  await page.goto(`${service.base}/`);
  await page.waitForFunction(() => document.querySelector('[data-fact="shown"]')?.textContent === '50', undefined, {
    timeout: 20_000,
  });
  await settled(page);
  const announcements = await page.evaluate(() => (window as unknown as { announcements: number }).announcements);
  assert.ok(announcements <= 1, `${announcements} announcements`);
  await page.close();
});

for (const screen of SCREENS) {
  test(`at ${screen.name}, a cold load shifts nothing on any page, even with the page arriving in pieces and the scripts after its first paint`, async (t) => {
    // The page comes as a slow link brings it, with a pause after each element but the runs of text inside a line
    // (centred text moves as its line fills, on any page): what the browser draws before the rest arrives keeps
    // its place.
    const link = await startCountingProxy(service.base, {});
    t.after(() => link.close());
    link.slowHtml = { after: /<\/(?!(?:a|b|code|em|i|small|span|strong)>)[a-z][a-z0-9-]*>/, pauseMs: 20 };
    const shifts: string[] = [];
    for (const path of PAGES) {
      const context = await browser.newContext({ viewport: screen.viewport });
      const page = await context.newPage();
      await page.addInitScript(() => {
        const w = window as unknown as { shifts: string[]; layoutShift: number };
        w.shifts = [];
        w.layoutShift = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries() as (PerformanceEntry & {
            value: number;
            hadRecentInput: boolean;
            sources: { node?: Node; previousRect: DOMRectReadOnly; currentRect: DOMRectReadOnly }[];
          })[]) {
            if (entry.hadRecentInput) continue;
            w.layoutShift += entry.value;
            const moved = entry.sources.map(
              (s) =>
                `${s.node instanceof Element ? `${s.node.localName}.${s.node.getAttribute('class')}` : s.node?.nodeName} by ${s.currentRect.x - s.previousRect.x},${s.currentRect.y - s.previousRect.y}`,
            );
            w.shifts.push(`${entry.value.toFixed(6)}: ${moved.join(', ')}`);
          }
        }).observe({ type: 'layout-shift', buffered: true });
      });
      // The page's scripts wait for its first paint: the static tags must hold their place without them.
      let painted!: () => void;
      const firstPaint = new Promise<void>((resolve) => (painted = resolve));
      await page.route(/\/(demo|cached-profile-picture)\.js$/, async (route) => {
        await firstPaint;
        await route.continue();
      });
      await page.goto(`${link.base}${path}`, { waitUntil: 'commit' });
      await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0);
      painted();
      await settled(page);
      const { layoutShift, seen } = await page.evaluate(() => {
        const w = window as unknown as { shifts: string[]; layoutShift: number };
        return { layoutShift: w.layoutShift, seen: w.shifts };
      });
      if (layoutShift > 0) shifts.push(`${path}: ${layoutShift.toFixed(6)} (${seen.join('; ')})`);
      await context.close();
    }
    assert.deepEqual(shifts, []);
  });
}
