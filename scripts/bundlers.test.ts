// What an embedder builds: the packed package installed in a fresh app, bundled by Vite (a plain page, and a React
// app with the wrapper and the plain tag) and by esbuild, each served on 127.0.0.1 in front of a running image
// service and opened in Chromium, where its pictures must show and the dashboard must open. Before, Vite stopped at
// `import('./dashboard-body.ts')` and esbuild's build ran with the dashboard silently off.
import assert from 'node:assert/strict';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { build as esbuild } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import { build as vite } from 'vite';
import { solidPng } from '../backend/testing/images.ts';
import { startEmbedded } from '../backend/testing/stack.ts';
import { TEST_ADMIN_TOKEN } from '../backend/testing/tokens.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';
import { serveApp } from './testing/app-server.ts';
import { installedApp, packedTarball } from './testing/packed.ts';

const USERS = ['ada', 'grace', 'alan'];

// No favicon (`data:,`): a 404 for it would be reported as a console error.
const plainPage = `<!doctype html><meta charset="utf-8"><title>Plain</title><link rel="icon" href="data:,">
<script type="module" src="./main.js"></script>
${USERS.map((id) => `<cached-profile-picture user-id="${id}" label="${id}" size="48"></cached-profile-picture>`).join('\n')}
<cache-dashboard></cache-dashboard>`;

/** The README's React snippet: the wrapper and the plain tag, each reporting its picture-load on window. */
const reactApp = `import { createRoot } from 'react-dom/client';
import { CachedProfilePicture } from 'cached-profile-pictures/react';

const loaded = (window as unknown as { loaded: string[] }).loaded = [];
createRoot(document.getElementById('root')!).render(
  <>
    <CachedProfilePicture userId="ada" label="Ada Lovelace" size={48} onPictureLoad={(e) => loaded.push(\`wrapper \${e.detail.userId}\`)} />
    <cached-profile-picture user-id="grace" label="Grace Hopper" size={48} onpicture-load={(e) => loaded.push(\`tag \${e.detail.userId}\`)} />
    <cached-profile-picture user-id="alan" label="Alan Turing" size={48} />
    <cache-dashboard />
  </>,
);
`;

let app: string;
let service: Awaited<ReturnType<typeof startEmbedded>>;
let browser: Browser;

before(async () => {
  [app, service] = await Promise.all([
    packedTarball().then((tarball) => installedApp(tarball, ['react', 'react-dom'])),
    startEmbedded('node'),
  ]);
  for (const [i, id] of USERS.entries()) {
    const res = await fetch(`${service.base}/api/pictures/${id}`, {
      method: 'PUT',
      body: solidPng([i * 80, 120, 200], 96),
      headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    assert.equal(res.status, 201);
  }
  await mkdir(join(app, 'plain'));
  await writeFile(join(app, 'plain', 'index.html'), plainPage);
  await writeFile(join(app, 'plain', 'main.js'), `import 'cached-profile-pictures';\n`);
  await mkdir(join(app, 'react'));
  await writeFile(
    join(app, 'react', 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>React</title><link rel="icon" href="data:,"><div id="root"></div><script type="module" src="./main.tsx"></script>',
  );
  await writeFile(join(app, 'react', 'main.tsx'), reactApp);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await service?.stop();
  if (app) await rm(app, { recursive: true, force: true });
});

/** Builds `source` (a folder of the app) with Vite into `out`, as `vite build` with no config does. */
async function viteBuild(source: string, out: string): Promise<string> {
  await vite({
    root: join(app, source),
    configFile: false,
    logLevel: 'warn',
    build: { outDir: join(app, out), emptyOutDir: true },
  });
  return join(app, out);
}

/**
 * Opens the built app in Chromium: every picture decoded, then the dashboard's toggle clicked and its panel
 * counting each picture asked for. Answers what the page reported on window, if anything.
 */
async function openApp(dir: string): Promise<unknown> {
  const server = await serveApp(dir, service.base);
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on(
      'console',
      (message) =>
        ['error', 'warning'].includes(message.type()) && problems.push(`${message.text()} ${message.location().url}`),
    );
    await page.goto(server.base);
    await page.waitForFunction(
      (count) => {
        const images = [...document.querySelectorAll('cached-profile-picture')].map((el) =>
          el.shadowRoot?.querySelector('img'),
        );
        return images.length === count && images.every((img) => img?.complete && img.naturalWidth > 0);
      },
      USERS.length,
      { timeout: 15_000 },
    );
    await page.locator('cache-dashboard [part="toggle"]').click({ timeout: 5_000 });
    await page.locator('cache-dashboard [part="panel"] h2', { hasText: 'Picture cache' }).waitFor({ timeout: 5_000 });
    assert.equal(await page.locator('cache-dashboard [data-figure="requests"]').textContent(), String(USERS.length));
    assert.deepEqual(problems, []);
    return await page.evaluate(() => (window as unknown as { loaded?: string[] }).loaded);
  } finally {
    await context.close();
    await server.close();
  }
}

test('Vite builds a page that imports the package; in Chromium its pictures show and the dashboard opens', async () => {
  await openApp(await viteBuild('plain', 'out/vite-plain'));
});

test('esbuild bundles the same page (lazy modules split out); its pictures show and the dashboard opens', async () => {
  const out = join(app, 'out/esbuild');
  await esbuild({
    entryPoints: [join(app, 'plain/main.js')],
    absWorkingDir: app,
    bundle: true,
    splitting: true,
    format: 'esm',
    outdir: out,
    logLevel: 'warning',
  });
  await copyFile(join(app, 'plain/index.html'), join(out, 'index.html'));
  await openApp(out);
});

test('Vite builds a React app with the wrapper and the plain tag; both show and report picture-load', async () => {
  const loaded = await openApp(await viteBuild('react', 'out/vite-react'));
  assert.deepEqual((loaded as string[]).sort(), ['tag grace', 'wrapper ada']);
});
