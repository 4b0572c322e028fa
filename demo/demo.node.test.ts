// The demo end to end, in Chromium, against the service started from its real entry with the demo people seeded
// (no AUTH_SECRET, so the demo's sign-in is on), behind a proxy that counts what reaches it. Screenshots of each
// step go to a folder this test prints.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { PictureMeta } from '../contract/picture.ts';
import { noisyPng, solidPng } from '../backend/testing/images.ts';
import { startService, type RunningService } from '../backend/testing/service.ts';
import { startCountingProxy, type CountingProxy } from '../elements/testing/counting-proxy.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.mjs';
import { sleep } from '../scripts/testing/wait.ts';
import { DEMO_USER, FRIENDS } from './people.ts';

const root = new URL('..', import.meta.url).pathname;
const NO_WORKER = existsSync(join(root, 'sw/sw.ts'))
  ? false
  : 'the service worker (sw/) is not built yet: offline, a reload cannot even load the page';
const NO_DASHBOARD = existsSync(join(root, 'elements/cache-dashboard'))
  ? false
  : '<cache-dashboard> (elements/cache-dashboard/) is not built yet';
/** Tall enough that all 50 friends are near the viewport, so none waits for a scroll. */
const VIEWPORT = { width: 1280, height: 1400 };

let dataDir: string;
let shots: string;
let service: RunningService;
let proxy: CountingProxy;
let browser: Browser;

before(async () => {
  await mkdir(join(root, '.data'), { recursive: true });
  dataDir = await mkdtemp(join(root, '.data', 'demo-e2e-'));
  shots = await mkdtemp(join(tmpdir(), 'demo-e2e-screenshots-'));
  console.log(`# screenshots of the demo test: ${shots}`);
  assert.ok(existsSync(join(root, 'dist/demo/index.html')), 'the demo is built: run `npm run build` first');
  service = await startService('node', { DATA_DIR: dataDir });
  proxy = await startCountingProxy(service.base, {});
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await proxy?.close();
  await service?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

/** What reached the service for pictures: their metadata or their bytes. */
const pictureRequests = () =>
  proxy.forwarded.splice(0).filter((r) => r.includes('/api/pictures') || r.includes('/images/'));

/** Waits until every friend on the front page shows a decoded picture, and answers how many do. */
async function friendsShown(page: Page): Promise<number> {
  const shown = () =>
    [...document.querySelectorAll('.friends cached-profile-picture')].filter((el) => {
      const img = el.shadowRoot?.querySelector<HTMLImageElement>('img[part="image"]');
      return img?.complete && img.naturalWidth > 0;
    }).length;
  await page.waitForFunction(`(${shown})() === ${FRIENDS.length}`, undefined, { timeout: 20_000 });
  return page.evaluate(shown);
}

/** The `src` of the demo user's picture in the page's header. */
const headerPicture = (page: Page) =>
  page.evaluate(() =>
    document
      .querySelector('.me cached-profile-picture')
      ?.shadowRoot?.querySelector('img[part="image"]')
      ?.getAttribute('src'),
  );

test('the front page: 50 pictures cold; after a reload, none of them reaches the server; offline, all 50 still show', async (t) => {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  proxy.forwarded.splice(0);
  await page.goto(`${proxy.base}/`);
  assert.equal(await friendsShown(page), 50);
  const names = await page.locator('.friend strong').allTextContents();
  assert.deepEqual(
    names,
    FRIENDS.map((f) => f.name),
    'each with its name',
  );
  const cold = pictureRequests();
  assert.equal(
    cold.filter((r) => r.includes('/images/')).length,
    51,
    `each picture fetched once, the header's too: ${cold.join(' ')}`,
  );
  await page.screenshot({ path: join(shots, '1-front-cold.png') });

  await page.reload();
  assert.equal(await friendsShown(page), 50);
  await sleep(500); // proves a negative: idle-time work runs, so any request it makes is counted too
  assert.deepEqual(pictureRequests(), [], 'after a reload, no picture and no lookup reached the server');
  assert.equal(
    await page.locator('[data-fact="local"]').textContent(),
    '50',
    'the page says all 50 came from this device',
  );
  await page.screenshot({ path: join(shots, '2-front-reload.png') });

  await t.test('offline after a reload', { todo: NO_WORKER }, async () => {
    await context.setOffline(true);
    try {
      await page.reload();
      assert.equal(await friendsShown(page), 50);
      await page.screenshot({ path: join(shots, '3-front-offline.png') });
    } finally {
      await context.setOffline(false);
    }
  });
  await context.close();
});

test('a picture saved on the profile page replaces the old one everywhere, and in another tab within a second', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const [profile, friends] = [await context.newPage(), await context.newPage()];
  await friends.goto(`${proxy.base}/`);
  await friendsShown(friends);
  await profile.goto(`${proxy.base}/profile`);
  await profile.waitForFunction(() =>
    [...document.querySelectorAll('cached-profile-picture')].every(
      (el) => el.shadowRoot?.querySelector<HTMLImageElement>('img[part="image"]')?.complete,
    ),
  );
  const before = await headerPicture(friends);
  assert.ok(before, "the other tab shows the demo user's seeded picture");

  await profile.setInputFiles('input[type="file"]', {
    name: 'me.png',
    mimeType: 'image/png',
    buffer: Buffer.from(noisyPng(7, 120)),
  });
  // The file is decoded before it is previewed, so the preview comes a moment after the choice.
  await profile.locator('[data-preview]').waitFor({ state: 'visible', timeout: 5_000 });
  await profile.screenshot({ path: join(shots, '4-profile-preview.png') });
  const [answer] = await Promise.all([
    profile.waitForResponse((res) => res.request().method() === 'PUT'),
    profile.click('[data-save]'),
  ]);
  assert.equal(answer.status(), 201);
  const { version } = (await answer.json()) as PictureMeta;
  await friends.waitForFunction(
    (v) =>
      document
        .querySelector('.me cached-profile-picture')
        ?.shadowRoot?.querySelector('img[part="image"]')
        ?.getAttribute('src')
        ?.includes(v),
    version,
    { timeout: 1_000, polling: 20 },
  );

  await profile.locator('[data-message][data-kind="success"]').waitFor();
  const everywhere = await profile.evaluate(
    (v) =>
      [...document.querySelectorAll(`cached-profile-picture`)]
        .map((el) => el.shadowRoot?.querySelector('img[part="image"]')?.getAttribute('src') ?? '')
        .every((src) => src.includes(v)),
    version,
  );
  assert.equal(everywhere, true, 'every picture of the demo user on the profile page is the new one');
  await profile.screenshot({ path: join(shots, '5-profile-saved.png') });
  await friends.screenshot({ path: join(shots, '6-other-tab.png') });
  await context.close();
});

test(
  'a picture saved offline is kept, sent once when the connection returns, and then shown',
  { todo: NO_WORKER },
  async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await Promise.all([
      page.waitForResponse((res) => res.url().endsWith('/api/demo/token')),
      page.goto(`${proxy.base}/profile`),
    ]);
    await page.waitForFunction(() => navigator.serviceWorker.controller, undefined, { timeout: 10_000 });
    proxy.forwarded.splice(0);

    await context.setOffline(true);
    await page.setInputFiles('input[type="file"]', {
      name: 'offline.png',
      mimeType: 'image/png',
      buffer: Buffer.from(noisyPng(11, 100)),
    });
    await page.locator('[data-file-name]', { hasText: 'offline.png' }).waitFor();
    await page.click('[data-save]');
    await page.locator('[data-message]', { hasText: /kept on this device/ }).waitFor({ timeout: 5_000 });
    await page.screenshot({ path: join(shots, '7-profile-offline.png') });

    await context.setOffline(false);
    await page.locator('[data-message][data-kind="success"]', { hasText: /went through/ }).waitFor({ timeout: 10_000 });
    const puts = proxy.forwarded.filter((r) => r.startsWith('PUT '));
    assert.deepEqual(puts, [`PUT /api/pictures/${DEMO_USER.id}`], 'sent once, when back online');
    const { version } = (await (await fetch(`${service.base}/api/pictures/${DEMO_USER.id}`)).json()) as PictureMeta;
    await page.waitForFunction(
      (v) =>
        [...document.querySelectorAll('cached-profile-picture')].every((el) =>
          el.shadowRoot?.querySelector('img[part="image"]')?.getAttribute('src')?.includes(v),
        ),
      version,
      { timeout: 5_000 },
    );
    await context.close();
  },
);

test('a multi-MB photo on a slow link: the profile page shows its bytes going out, then the processing, then done', async (t) => {
  // First as a page no service worker controls (a first visit, or a browser without one): XHR reports its progress.
  await slowUpload('block', '12-profile-uploading.png');
  await t.test('with the service worker in control', () => slowUpload('allow', '13-profile-uploading-worker.png'));
});

/** What the profile form showed at one moment of an upload. */
interface FormState {
  at: number;
  message: string;
  label: string;
  figures: string;
  /** `null`: a bar without a value (work under way). */
  value: number | null;
  max: number;
  hidden: boolean;
}

/** Uploads a 3.6 MB picture from the profile page over a 1 MB/s uplink, checking each step the form shows. */
async function slowUpload(serviceWorkers: 'allow' | 'block', shot: string): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers });
  const photo = Buffer.from(noisyPng(13, 1100));
  let states: FormState[];
  try {
    const page = await context.newPage();
    await page.goto(`${proxy.base}/profile`);
    if (serviceWorkers === 'allow')
      await page.waitForFunction(() => navigator.serviceWorker.controller, undefined, { timeout: 10_000 });
    await page.setInputFiles('input[type="file"]', { name: 'IMG_2041.png', mimeType: 'image/png', buffer: photo });
    await page.locator('[data-file-name]', { hasText: 'IMG_2041.png' }).waitFor();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 40,
      downloadThroughput: -1,
      uploadThroughput: 1_000_000,
    });
    // Every change the form shows, as it happens: the processing step lasts a fraction of a second.
    await page.evaluate(() => {
      const form = document.querySelector('[data-upload]')!;
      const seen: FormState[] = ((window as unknown as { states: FormState[] }).states = []);
      new MutationObserver(() => {
        const bar = form.querySelector('progress')!;
        seen.push({
          at: performance.now(),
          message: form.querySelector('[data-message]')!.textContent!,
          label: form.querySelector('[data-progress] label')!.textContent!,
          figures: form.querySelector('[data-progress-figures]')!.textContent!,
          value: bar.hasAttribute('value') ? bar.value : null,
          max: bar.max,
          hidden: form.querySelector<HTMLElement>('[data-progress]')!.hidden,
        });
      }).observe(form, { subtree: true, childList: true, characterData: true, attributes: true });
    });

    const answer = page.waitForResponse((res) => res.request().method() === 'PUT', { timeout: 30_000 });
    await page.click('[data-save]');
    await page.getByRole('progressbar', { name: 'Uploading' }).waitFor({ timeout: 5_000 });
    await page.waitForFunction(() => Number(document.querySelector('progress')?.value) > 0, undefined, {
      timeout: 5_000,
    });
    await page.screenshot({ path: join(shots, shot) });
    assert.equal((await answer).status(), 201);
    await page.locator('[data-message][data-kind="success"]').waitFor({ timeout: 10_000 });
    states = await page.evaluate(() => (window as unknown as { states: FormState[] }).states);
  } finally {
    await context.close();
  }

  const messages = states.map((s) => s.message).filter((m, i, all) => m && m !== all[i - 1]);
  assert.deepEqual(
    messages.map((m) => m.split(/[:.…]/)[0]),
    ['Uploading your picture', 'Processing', 'Saved'],
    `each step said once: ${messages.join(' | ')}`,
  );
  const sending = states.filter((s) => !s.hidden && s.label === 'Uploading');
  const values = [...new Set(sending.map((s) => s.value!))];
  assert.ok(values.length >= 4, `the bar moved as the bytes went out: ${values.join(', ')}`);
  assert.deepEqual(
    values,
    [...values].sort((a, b) => a - b),
    'and only forward',
  );
  assert.ok(
    sending.every((s) => s.max === photo.length),
    "out of the file's size",
  );
  assert.match(sending.at(-1)!.figures, /^[\d.]+ (KB|MB) of 3\.\d\d MB$/);
  const processing = states.findIndex((s) => !s.hidden && s.label === 'Processing' && s.value === null);
  assert.ok(processing > states.indexOf(sending.at(-1)!), 'then the processing step, with a bar that has no value');
  const sendingMs = states[processing]!.at - sending[0]!.at;
  assert.ok(sendingMs > 2_000, `the bytes took seconds: ${Math.round(sendingMs)} ms`);
  assert.equal(states.at(-1)!.hidden, true, 'and once done, no bar');
}

test('a wrong file on the profile page gets a clear error, and the picture chosen before stays', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${proxy.base}/profile`);
  const choose = (name: string, mimeType: string, buffer: Buffer) =>
    page.setInputFiles('input[type="file"]', { name, mimeType, buffer });
  /** Waits for the form's message to say `text`: checking a file takes the browser a moment. */
  const says = (text: RegExp) => page.locator('[data-message]', { hasText: text }).waitFor({ timeout: 5_000 });
  const chosen = () => page.locator('[data-file-name]').textContent();

  await choose('notes.txt', 'text/plain', Buffer.from('not a picture'));
  await says(
    /^“notes\.txt” is a text file, not a picture this site takes\. Choose a JPEG, PNG, WebP, GIF or AVIF image\.$/,
  );
  assert.equal(await page.locator('[data-save]').isDisabled(), true);

  await choose('good.png', 'image/png', Buffer.from(solidPng([10, 200, 90], 64)));
  await page.locator('[data-file-name]', { hasText: 'good.png' }).waitFor();
  await choose('huge.png', 'image/png', Buffer.alloc(21 * 1024 * 1024, 1));
  await says(/^“huge\.png” is 21\.0 MB; a picture can be at most 20\.0 MB/);
  assert.equal(await chosen(), 'good.png', 'the good picture is still the one chosen');
  await page.screenshot({ path: join(shots, '8-profile-too-large.png') });

  await choose('fake.png', 'image/png', Buffer.from('not a picture at all'));
  await says(/^“fake\.png” cannot be shown as a picture/);
  assert.equal(await chosen(), 'good.png');

  // A bitmap renamed .png: the browser shows it, and only the service, which reads the type from the bytes, refuses.
  await choose('renamed.png', 'image/png', bmp(16, 16));
  await page.locator('[data-file-name]', { hasText: 'renamed.png' }).waitFor();
  const [answer] = await Promise.all([
    page.waitForResponse((res) => res.request().method() === 'PUT'),
    page.click('[data-save]'),
  ]);
  assert.equal(answer.status(), 415);
  const { error } = (await answer.json()) as { error: { message: string } };
  await page.locator('[data-message][data-kind="error"]', { hasText: error.message }).waitFor({ timeout: 5_000 });
  assert.equal(await page.locator('[data-save]').isDisabled(), false, 'and another picture can be sent');
  await page.screenshot({ path: join(shots, '9-profile-refused.png') });
  await page.close();
});

test("the pictures page shows each size as its own file, the file each tag shows, shapes, fallbacks, and snippets with this service's address", async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${proxy.base}/pictures`);
  const { variants } = (await (await fetch(`${service.base}/api/pictures/${DEMO_USER.id}`)).json()) as PictureMeta;
  // The files show once the tags have loaded theirs, each at its natural size.
  await page.waitForFunction(
    (count) =>
      [...document.querySelectorAll<HTMLImageElement>('[data-files] img:not([src^="data:"])')].filter(
        (img) => img.complete && img.naturalWidth > 0,
      ).length === count,
    variants.length,
    { timeout: 10_000 },
  );
  const files = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLImageElement>('[data-files] img:not([src^="data:"])')].map((img) => ({
      url: img.src,
      width: img.naturalWidth,
      caption: img.parentElement!.textContent,
    })),
  );
  assert.ok(variants.length >= 2, `the service made more than one size: ${variants.map((v) => v.width).join(', ')}`);
  assert.deepEqual(
    files.map((f) => [f.url, f.width]),
    variants.map((v) => [new URL(v.url, proxy.base).href, v.width]),
    'one file per size, at its own width',
  );
  assert.equal(new Set(files.map((f) => f.url)).size, files.length, 'each its own URL');
  assert.match(files[0]!.caption!, /^\d+ px · [\d.]+ (B|KB)$/);
  assert.match(
    (await page.locator('[data-files] figure').first().textContent())!,
    /^preview · 9 B of colour, in the lookup$/,
    "after the lookup's preview",
  );

  // Each tag shows one of those files, one that covers its size and is not much larger (pixel ratio 1).
  const sizes = await page.evaluate(() =>
    [...document.querySelectorAll('[data-sizes] .sample')].map((sample) => sample.textContent!),
  );
  for (const text of sizes) {
    const [, size, width] = /^(\d+) pxthe (\d+) px file(?:, already loaded)?$/.exec(text) ?? [];
    assert.ok(size && width, `the tag says which file it shows: ${text}`);
    const widths = variants.map((v) => v.width);
    assert.ok(widths.includes(Number(width)), `${text}: a file of the lookup`);
    assert.ok(
      Number(width) >= Math.min(Number(size), widths.at(-1)!) &&
        Number(width) <= Math.max(4 * Number(size), widths[0]!),
      `${text}: covers its size`,
    );
  }

  await page.waitForFunction(
    () =>
      document.querySelectorAll('[data-fallbacks] cached-profile-picture').length > 0 &&
      [...document.querySelectorAll('[data-fallbacks] cached-profile-picture')].every((el) =>
        el.shadowRoot?.querySelector('[part="fallback"]'),
      ),
  );
  const initials = await page.evaluate(() =>
    [...document.querySelectorAll('[data-fallbacks] cached-profile-picture')].map((el) =>
      el.shadowRoot!.querySelector('[part="fallback"]')!.textContent!.trim(),
    ),
  );
  assert.deepEqual(initials.slice(0, 2), ['JP', 'ON'], 'people with no picture show their initials');
  assert.equal(initials[2], '', 'and without a name, a silhouette');
  assert.match(
    (await page.locator('#snippet-html code').textContent())!,
    new RegExp(`src="${proxy.base}/cached-profile-picture.js"`),
  );
  await page.screenshot({ path: join(shots, '10-pictures.png') });
  await page.click('#tab-react');
  assert.equal(await page.locator('#snippet-react').isVisible(), true);
  await page.screenshot({ path: join(shots, '11-pictures-full.png'), fullPage: true });
  await page.close();
});

test(
  'the dashboard opens and shows the hit rate, which a reload raises above zero',
  { todo: NO_DASHBOARD },
  async () => {
    const page = await browser.newPage({ viewport: VIEWPORT });
    await page.goto(`${proxy.base}/`);
    await friendsShown(page);
    await page.reload();
    await friendsShown(page);
    await page.waitForFunction(() => customElements.get('cache-dashboard'), undefined, { timeout: 5_000 });
    await page.evaluate(() => document.querySelector('cache-dashboard')!.setAttribute('open', ''));
    const hitRate = () =>
      /hit rate\s*([\d.]+)\s*%/i.exec(document.querySelector('cache-dashboard')?.shadowRoot?.textContent ?? '')?.[1];
    await page.waitForFunction(hitRate, undefined, { timeout: 5_000 });
    const shown = Number(await page.evaluate(hitRate));
    assert.ok(shown > 0 && shown <= 100, `a hit rate after a reload: ${shown}%`);
    await page.screenshot({ path: join(shots, '14-dashboard.png') });
    await page.close();
  },
);

/** A Windows bitmap (24-bit, bottom-up) of one colour: a picture browsers show and the service does not take. */
function bmp(width: number, height: number): Buffer {
  const row = Math.ceil((width * 3) / 4) * 4;
  const file = Buffer.alloc(54 + row * height, 0x80);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(54, 10); // where the pixels start
  file.writeUInt32LE(40, 14); // BITMAPINFOHEADER
  file.writeInt32LE(width, 18);
  file.writeInt32LE(height, 22);
  file.writeUInt16LE(1, 26); // planes
  file.writeUInt16LE(24, 28); // bits per pixel
  file.writeUInt32LE(0, 30); // no compression
  file.writeUInt32LE(row * height, 34);
  return file;
}
