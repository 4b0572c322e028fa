// <cached-profile-picture> rendered on the server with @lit-labs/ssr, as Lit SSR, Astro and Next.js render it: the
// declarative shadow DOM already holds a circle of the element's size in the user's colour with the initials, shown
// before any script runs (scripts off, in Chromium). Then in Chromium with the scripts: with the drop-in bundle, which
// has no hydration support, and with a bundle of the package that loads Lit's (@lit-labs/ssr-client), every frame from
// the first paint to the picture keeps the element's size and shows the initials or the picture, never both twice,
// never nothing, on a first visit and after a reload (picture known at once).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { render } from '@lit-labs/ssr';
import { collectResultSync } from '@lit-labs/ssr/lib/render-result.js';
import { build } from 'esbuild';
import { html } from 'lit';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { solidPng } from '../../backend/testing/images.ts';
import { startEmbedded } from '../../backend/testing/stack.ts';
import { TEST_ADMIN_TOKEN } from '../../backend/testing/tokens.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs';
import '../index.ts';
import { startCountingProxy, type CountingProxy } from '../testing/counting-proxy.ts';
import { colorsOf } from './fallback.ts';

const root = new URL('../../', import.meta.url).pathname;

const ssr = (template: unknown) => collectResultSync(render(template));

/** The fallback `<div>` of the first (or only) element in server-rendered HTML, and its attributes. */
function fallbackOf(markup: string): { tag: string; attr: (name: string) => string | undefined } {
  const tag = /<div\s+part="fallback"[^>]*>/.exec(markup)?.[0];
  assert.ok(tag, `a fallback in ${markup.slice(0, 200)}…`);
  return { tag, attr: (name) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1] };
}

describe('rendered on the server', () => {
  test("a 48 px circle in the user's colour with the initials, in the declarative shadow DOM", () => {
    const markup = ssr(
      html`<cached-profile-picture user-id="ada" size="48" label="Ada Lovelace"></cached-profile-picture>`,
    );
    assert.match(
      markup,
      /<cached-profile-picture[^>]*\suser-id="ada" size="48"[^>]*><template shadowroot="open" shadowrootmode="open"><style>/,
    );
    assert.doesNotMatch(markup, /\sshape=/, 'a circle is the shape unset');
    assert.match(markup, /:host \{\s*--size: 48px;\s*--radius: 50%;/, "the element's styles");
    const fallback = fallbackOf(markup);
    const [background, ink] = colorsOf('ada');
    assert.deepEqual(fallback.attr('style')?.split(';'), [
      `--user-color:${background}`,
      `--user-ink:${ink}`,
      '--size:48px',
    ]);
    assert.match(fallback.attr('class') ?? '', /\bserved\b/);
    assert.equal(fallback.attr('aria-label'), 'Ada Lovelace');
    assert.match(markup, /<div\s+part="fallback"[^>]*>(<!--[^>]*-->)*AL(<!--[^>]*-->)*<\/div>/, 'the initials');
  });

  test('its size from the size attribute, 48 px without one; a silhouette without a label', () => {
    assert.match(
      fallbackOf(
        ssr(html`<cached-profile-picture user-id="grace" size="64" label="Grace Hopper"></cached-profile-picture>`),
      ).attr('style')!,
      /;--size:64px$/,
    );
    assert.equal(
      fallbackOf(ssr(html`<cached-profile-picture user-id="grace"></cached-profile-picture>`)).attr('style'),
      `--user-color:${colorsOf('grace').join(';--user-ink:')}`,
    );
    const unnamed = ssr(html`<cached-profile-picture user-id="ada" size="48"></cached-profile-picture>`);
    assert.match(unnamed, /<div\s+part="fallback"[^>]*>(<!--[^>]*-->)*<svg viewBox="0 0 24 24"/, 'the silhouette');
  });

  test('the provider and the dashboard render too, and make no store on the server', () => {
    const markup = ssr(
      html`<picture-store-provider api-base="/api" events><cached-profile-picture user-id="ada" label="Ada Lovelace"></cached-profile-picture></picture-store-provider><cache-dashboard></cache-dashboard>`,
    );
    assert.match(
      markup,
      /<picture-store-provider[^>]*><template shadowroot="open" shadowrootmode="open">.*<slot><\/slot>/s,
    );
    assert.match(markup, /<cache-dashboard position="bottom-right"><template shadowroot="open"/);
    assert.equal(fallbackOf(markup).attr('aria-label'), 'Ada Lovelace');
  });
});

const ADA = 'ssr-ada';
const BOB = 'ssr-bob';
const tags = ssr(html`<cached-profile-picture user-id=${ADA} label="Ada Lovelace" size="48"></cached-profile-picture>
<cached-profile-picture user-id=${BOB} label="Bob Brown" size="48"></cached-profile-picture>`);

/**
 * Records every frame from the first script on: each element's box, how many fallbacks and images its shadow root
 * holds, and whether it shows something (a visible fallback, or a loaded picture). `window.done` once Ada's picture
 * has loaded and two more frames have passed (Bob has none: his answer came in the same request), or at the first
 * uncaught error (`window.failure`), such as Lit's "Hydration value mismatch".
 */
const RECORDER = `
addEventListener('error', (event) => { window.failure = event.message; window.done = true; });
addEventListener('unhandledrejection', (event) => { window.failure = String(event.reason); window.done = true; });
const tags = [...document.querySelectorAll('cached-profile-picture')];
window.serverFallbacks = tags.map((tag) => tag.shadowRoot.querySelector('[part~="fallback"]'));
window.samples = [];
let left = Infinity;
addEventListener('picture-load', () => { left = 2; });
requestAnimationFrame(function sample() {
  samples.push(tags.map((tag) => {
    const fallbacks = tag.shadowRoot.querySelectorAll('[part~="fallback"]');
    const images = tag.shadowRoot.querySelectorAll('[part~="image"]');
    const box = tag.getBoundingClientRect();
    const shows = [...fallbacks].some((f) => getComputedStyle(f).visibility === 'visible') || [...images].some((i) => i.complete && i.naturalWidth > 0);
    return { size: box.width + 'x' + box.height, fallbacks: fallbacks.length, images: images.length, shows };
  }));
  if (left-- > 0) requestAnimationFrame(sample);
  else window.done = true;
});`;

const page = (script: string) => `<!doctype html><meta charset="utf-8"><title>Server-rendered</title>
<body style="margin:0">${tags}
<script>${RECORDER}</script>
<script type="module" src="${script}"></script>
</body>`;

interface Sample {
  size: string;
  fallbacks: number;
  images: number;
  shows: boolean;
}

let service: Awaited<ReturnType<typeof startEmbedded>>;
let proxy: CountingProxy;
let browser: Browser;
let hydrating: string;

before(async () => {
  service = await startEmbedded('node');
  const res = await fetch(`${service.base}/api/pictures/${ADA}`, {
    method: 'PUT',
    body: solidPng([40, 120, 200], 96),
    headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  assert.equal(res.status, 201);
  await fetch(`${service.base}/api/pictures/${BOB}`, {
    method: 'DELETE',
    headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  proxy = await startCountingProxy(service.base, {
    '/drop-in.html': page('/cached-profile-picture.js'),
    '/hydrating.html': page('/hydrating.js'),
  });
  // What a framework's client bundle is: Lit's hydration support first, then the package. ignoreAnnotations: the
  // package's sideEffects list names its built files, not these sources.
  const bundle = await build({
    stdin: {
      contents: "import '@lit-labs/ssr-client/lit-element-hydrate-support.js';\nimport './elements/index.ts';",
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    conditions: ['production'],
    ignoreAnnotations: true,
    tsconfig: `${root}tsconfig.json`,
  });
  hydrating = bundle.outputFiles[0]!.text;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await proxy?.close();
  await service?.stop();
});

/** A context that serves the hydrating bundle and collects the page's errors. */
async function contextWithErrors(): Promise<{ context: BrowserContext; errors: string[] }> {
  const context = await browser.newContext();
  await context.route('**/hydrating.js', (route) => route.fulfill({ contentType: 'text/javascript', body: hydrating }));
  const errors: string[] = [];
  context.on('weberror', (error) => errors.push(error.error().message));
  context.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
  return { context, errors };
}

/** Loads `path` (or reloads), waits until the pictures settled, and answers the frames recorded; fails on an error. */
async function frames(page: Page, path?: string): Promise<Sample[][]> {
  await (path ? page.goto(`${proxy.base}${path}`) : page.reload());
  await page.waitForFunction(() => (window as { done?: boolean }).done, undefined, { timeout: 15_000 });
  const { samples, failure } = await page.evaluate(() => {
    const { samples, failure } = window as unknown as { samples: Sample[][]; failure?: string };
    return { samples, failure };
  });
  assert.equal(failure, undefined);
  return samples;
}

/** What every frame must be: both elements at 48×48, at most one fallback and one image each, showing something. */
function assertSteady(samples: Sample[][], what: string): void {
  assert.ok(samples.length > 2, `${what}: frames recorded`);
  for (const [i, frame] of samples.entries()) {
    for (const [who, s] of [ADA, BOB].map((id, k) => [id, frame[k]!] as const)) {
      assert.equal(s.size, '48x48', `${what}, frame ${i}, ${who}: size`);
      assert.ok(
        s.fallbacks <= 1 && s.images <= 1,
        `${what}, frame ${i}, ${who}: ${s.fallbacks} fallbacks and ${s.images} images`,
      );
      assert.ok(s.shows, `${what}, frame ${i}, ${who}: shows nothing`);
    }
  }
  const last = samples.at(-1)!;
  assert.deepEqual(
    [last[0]!.images, last[0]!.fallbacks, last[1]!.images, last[1]!.fallbacks],
    [1, 0, 0, 1],
    `${what}: Ada's picture, Bob's initials`,
  );
}

/** Whether each element's fallback is still the node the server rendered. */
const keptServerNodes = (page: Page) =>
  page.evaluate(() => {
    const { serverFallbacks } = window as unknown as { serverFallbacks: Element[] };
    return [...document.querySelectorAll('cached-profile-picture')].map(
      (tag, i) => tag.shadowRoot!.querySelector('[part~="fallback"]') === serverFallbacks[i],
    );
  });

describe('server-rendered, then upgraded in Chromium', () => {
  test("shows before any script: 48 px, the user's colours, the initials", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.setContent(`<!doctype html><body style="margin:0">${tags}</body>`);
    const shown = await page.evaluate(() =>
      [...document.querySelectorAll('cached-profile-picture')].map((tag) => {
        const fallback = tag.shadowRoot!.querySelector('[part~="fallback"]')!;
        const style = getComputedStyle(fallback);
        const box = tag.getBoundingClientRect();
        return [
          `${box.width}x${box.height}`,
          style.borderRadius,
          style.backgroundColor,
          style.color,
          style.visibility,
          fallback.textContent!.trim(),
        ];
      }),
    );
    const computed = async (color: string) =>
      page.evaluate((c) => {
        const probe = document.createElement('i');
        probe.style.color = c;
        document.body.append(probe);
        return getComputedStyle(probe).color;
      }, color);
    assert.deepEqual(shown, [
      ['48x48', '50%', await computed(colorsOf(ADA)[0]), await computed(colorsOf(ADA)[1]), 'visible', 'AL'],
      ['48x48', '50%', await computed(colorsOf(BOB)[0]), await computed(colorsOf(BOB)[1]), 'visible', 'BB'],
    ]);
    await context.close();
  });

  test('with the drop-in bundle (no hydration support): no frame changes size, doubles or shows nothing', async () => {
    const { context, errors } = await contextWithErrors();
    const page = await context.newPage();
    assertSteady(await frames(page, '/drop-in.html'), 'first visit');
    assert.deepEqual(await keptServerNodes(page), [false, false], "the server's content was replaced");
    assertSteady(await frames(page), 'after a reload');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("with Lit's hydration support: the server's nodes are kept, and a picture known at once is no mismatch", async () => {
    const { context, errors } = await contextWithErrors();
    const page = await context.newPage();
    assertSteady(await frames(page, '/hydrating.html'), 'first visit');
    assert.deepEqual(await keptServerNodes(page), [false, true], "Bob's initials are still the server's");
    assertSteady(await frames(page), 'after a reload');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
