// A friend list of 41 on a network where pictures are slow to come: every avatar shows something, every frame, until
// its own picture has loaded, and then the picture alone. The test holds each picture's bytes (a route on /images/)
// and lets them through one at a time; from the page's first frame, a recorder sorts each avatar into what a user
// would see: its picture, a stand-in (the preview's colours, or the initials, on the user's colour), or nothing. The
// stand-in shows from 100 ms after it is put there (so a picture the browser has already never flashes one), which
// the recorder tells apart. Screenshots check the same in pixels.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import sharp from 'sharp';
import { solidPng } from '../../backend/testing/images.ts';
import { startEmbedded } from '../../backend/testing/stack.ts';
import { TEST_ADMIN_TOKEN } from '../../backend/testing/tokens.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs';
import { startCountingProxy, type CountingProxy } from '../testing/counting-proxy.ts';

/** 30 friends with a picture (half of them without its preview), 11 without. */
const WITH_PICTURE = Array.from({ length: 30 }, (_, i) => `blank-${i}`);
const WITHOUT = Array.from({ length: 11 }, (_, i) => `blank-none-${i}`);
const FRIENDS = [...WITH_PICTURE, ...WITHOUT];
/** Their previews are taken out of the lookup's answer: the initials stand in for them. */
const NO_PREVIEW = new Set(WITH_PICTURE.filter((_, i) => i % 2));
const SIZE = 48;

const PAGE = `<!doctype html><meta charset="utf-8"><title>Friends</title>
<body style="margin:0;background:#fff;display:flex;flex-wrap:wrap;gap:8px;padding:8px">
${FRIENDS.map((id, i) => `<cached-profile-picture user-id="${id}" label="Friend Number${i}" size="${SIZE}"></cached-profile-picture>`).join('\n')}
<script>${recorder()}</script>
<script type="module" src="/cached-profile-picture.js"></script>
</body>`;

/**
 * In the page, from its first frame: for each avatar, the first frame it showed nothing, if any (`window.blanks`),
 * and its state now (`window.states`). A string: what the test runner compiles would carry its helpers into the page.
 */
function recorder(): string {
  return `window.blanks = {};
window.states = {};
requestAnimationFrame(function frame(now) {
  // Until the script has upgraded them, the tags are the page's to size (docs/elements.md): not counted.
  for (const el of document.querySelectorAll('cached-profile-picture:defined')) {
    const root = el.shadowRoot;
    const img = root.querySelector('[part~="image"]');
    const fallback = root.querySelector('[part~="fallback"]');
    const style = fallback && getComputedStyle(fallback);
    let state = 'nothing';
    if (img?.complete && img.naturalWidth > 0) state = 'picture';
    else if (style?.visibility === 'visible' && style.backgroundColor !== 'rgba(0, 0, 0, 0)' && (style.backgroundImage !== 'none' || fallback.textContent.trim())) {
      state = style.backgroundImage !== 'none' ? 'preview' : 'initials';
    } else if (fallback?.getAnimations().some((a) => a.playState === 'running')) state = 'due';
    window.states[el.getAttribute('user-id')] = state;
    if (state === 'nothing') window.blanks[el.getAttribute('user-id')] ??= Math.round(now) + ' ms: ' + root.innerHTML.slice(0, 300);
  }
  requestAnimationFrame(frame);
});`;
}

let service: Awaited<ReturnType<typeof startEmbedded>>;
let proxy: CountingProxy;
let browser: Browser;

before(async () => {
  service = await startEmbedded('node');
  for (const [i, id] of WITH_PICTURE.entries()) {
    const res = await fetch(`${service.base}/api/pictures/${id}`, {
      method: 'PUT',
      body: solidPng([200 - i * 5, 60 + i * 4, 90], 300),
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

type States = Record<string, string>;
const states = (page: Page) => page.evaluate(() => (window as unknown as { states: States }).states);
const blanks = (page: Page) => page.evaluate(() => (window as unknown as { blanks: States }).blanks);

/** For each avatar, the share of its box that differs from the white page, from a screenshot. */
async function painted(page: Page): Promise<Record<string, number>> {
  const boxes = await page.evaluate(() =>
    [...document.querySelectorAll('cached-profile-picture')].map((el) => {
      const { x, y, width, height } = el.getBoundingClientRect();
      return { id: el.getAttribute('user-id')!, x, y, width, height };
    }),
  );
  const { data, info } = await sharp(await page.screenshot())
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const shares: Record<string, number> = {};
  for (const box of boxes) {
    let coloured = 0;
    for (let y = Math.round(box.y); y < box.y + box.height; y++) {
      for (let x = Math.round(box.x); x < box.x + box.width; x++) {
        const at = (y * info.width + x) * 3;
        if (data[at]! + data[at + 1]! + data[at + 2]! < 3 * 245) coloured++;
      }
    }
    shares[box.id] = coloured / (box.width * box.height);
  }
  return shares;
}

test('on a slow network every avatar shows its preview or initials until its picture has loaded, never nothing', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const held = new Map<string, Route>();
  let allHeld!: () => void;
  const everyPictureAsked = new Promise<void>((resolve) => (allHeld = resolve));
  await context.route('**/images/**', (route) => {
    held.set(new URL(route.request().url()).pathname.split('/')[2]!, route);
    if (held.size === WITH_PICTURE.length) allHeld();
  });
  await context.route(/\/api\/pictures\?/, async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { pictures: Record<string, { preview?: string } | null> };
    for (const id of NO_PREVIEW) delete body.pictures[id]?.preview;
    await route.fulfill({ response, json: body });
  });
  const page = await context.newPage();
  await page.goto(`${proxy.base}/friends.html`);

  // Every picture asked for and held: each avatar shows what stands in for it.
  await everyPictureAsked;
  await page.waitForFunction(
    (n) =>
      Object.values((window as unknown as { states: States }).states).filter((s) => s === 'preview' || s === 'initials')
        .length === n,
    FRIENDS.length,
    { timeout: 20_000 },
  );
  const standing = await states(page);
  for (const id of FRIENDS)
    assert.equal(standing[id], WITHOUT.includes(id) || NO_PREVIEW.has(id) ? 'initials' : 'preview', id);
  for (const [id, share] of Object.entries(await painted(page)))
    assert.ok(share > 0.7, `${id}: ${Math.round(share * 100)}% of its box painted`);

  // The pictures come in one at a time; each replaces its stand-in, which then goes.
  for (const id of WITH_PICTURE) {
    await held.get(id)!.continue();
    await page.waitForFunction(
      (who) => {
        const root = document.querySelector(`cached-profile-picture[user-id="${who}"]`)!.shadowRoot!;
        return (
          (window as unknown as { states: States }).states[who] === 'picture' &&
          !root.querySelector('[part~="fallback"]')
        );
      },
      id,
      { timeout: 10_000 },
    );
  }
  const end = await states(page);
  for (const id of FRIENDS) assert.equal(end[id], WITHOUT.includes(id) ? 'initials' : 'picture', id);
  for (const [id, share] of Object.entries(await painted(page)))
    assert.ok(share > 0.7, `${id}: ${Math.round(share * 100)}% of its box painted`);

  assert.deepEqual(await blanks(page), {}, 'no avatar showed nothing in any frame');
  await context.close();
});
