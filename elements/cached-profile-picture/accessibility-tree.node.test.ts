// What a screen reader is given for a list of pictures, read from Chromium's accessibility tree: a picture or its
// initials named by `label` (initials given apart from it change only what shows); a decorative one beside the
// written name, or one without a label, gives nothing, so the name is read once.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { solidPng } from '../../backend/testing/images.ts';
import { startEmbedded } from '../../backend/testing/stack.ts';
import { TEST_ADMIN_TOKEN } from '../../backend/testing/tokens.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs';
import { startCountingProxy, type CountingProxy } from '../testing/counting-proxy.ts';

const PAGE = `<!doctype html><meta charset="utf-8"><title>People</title>
<script type="module" src="/cached-profile-picture.js"></script>
<main>
  <p><cached-profile-picture user-id="tree-ada" label="Ada Lovelace"></cached-profile-picture></p>
  <p><cached-profile-picture user-id="tree-grace" label="Grace Hopper"></cached-profile-picture></p>
  <p><cached-profile-picture user-id="tree-ada-king" label="Ada King" initials="AL"></cached-profile-picture></p>
  <p><cached-profile-picture user-id="tree-katherine" label="Katherine Johnson" decorative></cached-profile-picture> Katherine Johnson</p>
  <p><cached-profile-picture user-id="tree-alan" label="Alan Turing" decorative></cached-profile-picture> Alan Turing</p>
  <p><cached-profile-picture user-id="tree-someone"></cached-profile-picture> Someone</p>
</main>`;

let service: Awaited<ReturnType<typeof startEmbedded>>;
let proxy: CountingProxy;
let browser: Browser;

before(async () => {
  service = await startEmbedded('node');
  for (const id of ['tree-ada', 'tree-katherine']) {
    const res = await fetch(`${service.base}/api/pictures/${id}`, {
      method: 'PUT',
      body: solidPng([40, 120, 200], 96),
      headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    assert.equal(res.status, 201, await res.text());
  }
  proxy = await startCountingProxy(service.base, { '/people.html': PAGE });
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await proxy?.close();
  await service?.stop();
});

test('each person is named once: by the picture or its initials, or by the text beside a decorative one', async () => {
  const page = await browser.newPage();
  await page.goto(`${proxy.base}/people.html`);
  // Settled: each shows its picture, or its initials or silhouette.
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('cached-profile-picture')].every((el) => {
        const img = el.shadowRoot?.querySelector<HTMLImageElement>('[part~="image"]');
        const fallback = el.shadowRoot?.querySelector('[part~="fallback"]');
        return fallback
          ? !img && fallback.checkVisibility({ visibilityProperty: true })
          : img?.complete && img.naturalWidth > 0;
      }),
    undefined,
    { timeout: 10_000 },
  );
  assert.equal(
    await page.locator('main').ariaSnapshot(),
    [
      '- main:',
      '  - paragraph:',
      '    - img "Ada Lovelace"',
      '  - paragraph:',
      '    - img "Grace Hopper": GH',
      '  - paragraph:',
      '    - img "Ada King": AL',
      '  - paragraph: Katherine Johnson',
      '  - paragraph: Alan Turing',
      '  - paragraph: Someone',
    ].join('\n'),
  );
  await page.close();
});
