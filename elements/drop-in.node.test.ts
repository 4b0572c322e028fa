// The drop-in promise, end to end in Chromium: a page with one script tag and 50 tags renders all 50; a reload
// renders them again with no request for a picture, its metadata or the bundle.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { solidPng } from '../backend/testing/images.ts';
import { startEmbedded } from '../backend/testing/stack.ts';
import { TEST_ADMIN_TOKEN } from '../backend/testing/tokens.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.mjs';
import { sleep } from '../scripts/testing/wait.ts';
import { startCountingProxy, type CountingProxy } from './testing/counting-proxy.ts';

const USERS = Array.from({ length: 50 }, (_, i) => `friend${i}`);
const page50 = `<!doctype html><meta charset="utf-8"><title>Friends</title>
<script type="module" src="/cached-profile-picture.js"></script>
<body style="display:flex;flex-wrap:wrap;gap:4px;margin:0">
${USERS.map((id, i) => `<cached-profile-picture user-id="${id}" label="Friend ${i}" size="48"></cached-profile-picture>`).join('\n')}
</body>`;

/** A provider written in the HTML around the pictures, as a CMS template would. */
const providedPage = `<!doctype html><meta charset="utf-8"><script type="module" src="/cached-profile-picture.js"></script>
<picture-store-provider debug><cached-profile-picture user-id="friend1" label="Friend 1"></cached-profile-picture></picture-store-provider>`;

let service: Awaited<ReturnType<typeof startEmbedded>>;
let proxy: CountingProxy;
let browser: Browser;

before(async () => {
  service = await startEmbedded('node');
  for (const [i, id] of USERS.entries()) {
    const res = await fetch(`${service.base}/api/pictures/${id}`, {
      method: 'PUT',
      body: solidPng([i * 5, 120, 200], 48),
      headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    assert.equal(res.status, 201);
  }
  proxy = await startCountingProxy(service.base, { '/friends.html': page50, '/provided.html': providedPage });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await proxy?.close();
  await service?.stop();
});

/** Waits until every tag shows a decoded image, and answers how many do. */
async function decodedPictures(page: Page): Promise<number> {
  await page.waitForFunction(
    (count) => {
      const imgs = [...document.querySelectorAll('cached-profile-picture')].map((el) =>
        el.shadowRoot?.querySelector('img'),
      );
      return imgs.filter((img) => img?.complete && img.naturalWidth > 0).length === count;
    },
    USERS.length,
    { timeout: 15_000 },
  );
  return page.evaluate(() => document.querySelectorAll('cached-profile-picture').length);
}

test('one script tag and 50 tags: one metadata request cold, nothing at all after a reload', async () => {
  const page = await browser.newPage();
  await page.goto(`${proxy.base}/friends.html`);
  assert.equal(await decodedPictures(page), 50);
  const cold = proxy.forwarded.splice(0);
  assert.deepEqual(
    cold.filter((r) => r.includes('/api/')).length,
    1,
    `metadata requests: ${cold.filter((r) => r.includes('/api/')).join(' ')}`,
  );
  assert.equal(cold.filter((r) => r.includes('/images/')).length, 50, 'each picture fetched once');
  const [bundle, layer, ...more] = cold.filter((r) => r.includes('.js'));
  assert.equal(bundle, 'GET /cached-profile-picture.js');
  assert.match(
    layer ?? '',
    /^GET \/cached-profile-picture-indexeddb-[0-9a-f]{10}\.js$/,
    'the IndexedDB layer, on first use',
  );
  assert.deepEqual(more, []);

  await page.reload();
  assert.equal(await decodedPictures(page), 50);
  // Proves a negative: idle-time work (keeping Blobs) runs, so any request it makes is counted too.
  await sleep(500);
  assert.deepEqual(proxy.forwarded.splice(0), [], 'after a reload, no request reached the server');
  await page.close();
});

test("invalidating a user in one tab updates the other tab's picture", async () => {
  const context = await browser.newContext();
  const [tabA, tabB] = [await context.newPage(), await context.newPage()];
  for (const tab of [tabA, tabB]) {
    await tab.goto(`${proxy.base}/friends.html`);
    await decodedPictures(tab);
  }
  const res = await fetch(`${service.base}/api/pictures/friend3`, {
    method: 'PUT',
    body: solidPng([250, 250, 0], 48),
    headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  const { version } = (await res.json()) as { version: string };
  const srcIn = (tab: Page) =>
    tab.evaluate(() =>
      document
        .querySelector('cached-profile-picture[user-id="friend3"]')!
        .shadowRoot!.querySelector('img')!
        .getAttribute('src'),
    );
  assert.ok(!(await srcIn(tabB))!.includes(version), 'tab B shows the old picture before');
  await tabA.evaluate(async () => {
    const bundle = await import('/cached-profile-picture.js' as string);
    await bundle.defaultSource('/api').invalidate('friend3');
  });
  await tabB.waitForFunction(
    (v) =>
      document
        .querySelector('cached-profile-picture[user-id="friend3"]')!
        .shadowRoot!.querySelector('img')
        ?.getAttribute('src')
        ?.includes(v),
    version,
    { timeout: 3_000 },
  );
  assert.ok((await srcIn(tabA))!.includes(version), 'and tab A too');
  await context.close();
});

test('a provider written around the pictures in the HTML is the one they use', async () => {
  const page = await browser.newPage();
  const logs: string[] = [];
  page.on('console', (message) => logs.push(message.text()));
  await page.goto(`${proxy.base}/provided.html`);
  await page.waitForFunction(
    () => document.querySelector('cached-profile-picture')?.shadowRoot?.querySelector('img')?.complete,
  );
  const same = await page.evaluate(() => {
    const provider = document.querySelector('picture-store-provider') as HTMLElement & { store?: unknown };
    const picture = document.querySelector('cached-profile-picture') as HTMLElement & { source?: unknown };
    return provider.store !== undefined && picture.source === provider.store;
  });
  assert.equal(same, true);
  assert.ok(
    logs.some((line) => line.startsWith('[ImageCache]')),
    "the provider's debug setting took effect",
  );
  await page.close();
});

test('without its IndexedDB module (a page that self-hosts the one file), pictures still show', async () => {
  const context = await browser.newContext();
  await context.route(/cached-profile-picture-indexeddb-/, (route) => route.abort());
  const page = await context.newPage();
  const warnings: string[] = [];
  page.on('console', (message) => message.type() === 'warning' && warnings.push(message.text()));
  await page.goto(`${proxy.base}/friends.html`);
  assert.equal(await decodedPictures(page), 50);
  assert.ok(
    warnings.some((w) => w.includes('IndexedDB is off')),
    warnings.join('\n'),
  );
  await context.close();
});
