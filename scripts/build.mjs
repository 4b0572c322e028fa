#!/usr/bin/env node
// Builds the drop-in bundle: dist/cached-profile-picture.js, one minified ES module with Lit inside, checked
// against its budget; and the IndexedDB layer (with the keeping of the pictures' bytes) as its own module, which the
// bundle fetches as soon as it runs, named by its content hash so browsers keep it for good.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildPages } from '../demo/build-pages.mjs';

const BUDGET_GZIP_BYTES = 15 * 1024;
const at = (path) => new URL(`../${path}`, import.meta.url).pathname;
const outdir = at('dist/');

/**
 * Lit's css`` literals reach the bundle as written; esbuild minifies code, not strings. Comments and layout go, and
 * the space after a colon (our styles have no strings, and no selector with a space after its colon), the zero
 * before a decimal point, the spaces around `*` and `/` (which calc() and rgb() do not need; no selector of ours
 * has a universal `*` between spaces), and the quotes around an attribute selector's value that is a name; nothing
 * else: the spaces around + and - in calc(), which it needs, stay.
 */
const minifyCssLiterals = {
  name: 'minify-css-literals',
  setup(builder) {
    builder.onLoad({ filter: /\.styles\.ts$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const contents = source.replace(
        /css`([^`]*)`/g,
        (_, text) =>
          `css\`${text
            .replace(/\/\*[\s\S]*?\*\//g, '')
            .replace(/\s+/g, ' ')
            .replace(/\s*([{};,>])\s*/g, '$1')
            .replace(/:\s+/g, ':')
            .replace(/([\s:(,*])0\.(\d)/g, '$1.$2')
            .replace(/ ([*/]) /g, '$1')
            .replace(/='([\w-]+)'\]/g, '=$1]')
            .replace(/;}/g, '}')
            .trim()}\``,
      );
      return { contents, loader: 'ts' };
    });
  },
};

const common = {
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  legalComments: 'none',
  conditions: ['production'],
  tsconfig: at('tsconfig.json'),
};
rmSync(outdir, { recursive: true, force: true });

/**
 * Chromium's V8 (136 and later) compiles every function of a script that starts with this comment while it streams
 * the file, off the main thread, instead of on each function's first call; the modules a page runs as it loads, and
 * the service worker, carry it. Measured with it, the reload of 50 known pictures took 0.85×, a cold page of 50 phone
 * photos 0.82-0.91×, and the worker's cold start 0.76× the time without (docs/benchmarks.md); it costs the bundle 21
 * bytes of gzip.
 */
const compileEagerly = { js: '//# allFunctionsCalledOnLoad' };

// The IndexedDB layer and the pictures' bytes first: the bundle refers to them by the name their content gives them.
const layer = await build({
  ...common,
  banner: compileEagerly,
  entryPoints: [at('elements/store/indexeddb-module.ts')],
  write: false,
  outdir,
});
const layerCode = layer.outputFiles[0].contents;
const layerName = `cached-profile-picture-indexeddb-${createHash('sha256').update(layerCode).digest('hex').slice(0, 10)}.js`;

const lazyLayer = {
  name: 'lazy-indexeddb-layer',
  setup(builder) {
    builder.onResolve({ filter: /\/indexeddb-module\.ts$/ }, ({ importer, kind }) =>
      kind === 'dynamic-import' && importer.endsWith('indexeddb-lazy.ts')
        ? { path: `./${layerName}`, external: true }
        : undefined,
    );
  },
};

// The monitor's report (logSummary, advice) and the dashboard's body: modules of their own, fetched only by a page
// that asks for them, each named by its hash; the body imports the report by that name. The body takes Lit's
// html from the element, so it must carry no Lit of its own.
const lazyNames = new Map();
const lazyModules = {
  name: 'lazy-modules',
  setup(builder) {
    builder.onResolve({ filter: /\/(report|dashboard-body)\.ts$/ }, ({ path, resolveDir }) => {
      const name = lazyNames.get(join(resolveDir, path));
      return name ? { path: `./${name}`, external: true } : undefined;
    });
  },
};
const lazyFiles = [];
for (const [path, label] of [
  ['elements/monitor/report.ts', 'report'],
  ['elements/cache-dashboard/dashboard-body.ts', 'dashboard'],
]) {
  const { outputFiles } = await build({
    ...common,
    entryPoints: [at(path)],
    write: false,
    outdir,
    plugins: [minifyCssLiterals, lazyModules],
  });
  const code = outputFiles[0].contents;
  if (Buffer.from(code).includes('_$litType$'))
    throw new Error(`${path} bundles a copy of Lit: import only types from 'lit' there.`);
  const name = `cached-profile-picture-${label}-${createHash('sha256').update(code).digest('hex').slice(0, 10)}.js`;
  lazyNames.set(at(path), name);
  lazyFiles.push({ name, code });
}

// The service worker (dist/sw.js, served at /sw.js: a classic script, which every browser with workers runs) and
// swManager: dist/sw-registration.js for sites that register the worker from their own code, and the same module
// named by its hash for <picture-store-provider service-worker>, which fetches it only on the pages that opt in.
await build({ ...common, format: 'iife', banner: compileEagerly, entryPoints: { sw: at('sw/sw.ts') }, outdir });
const registration = (await build({ ...common, entryPoints: [at('sw/registration.ts')], write: false, outdir }))
  .outputFiles[0].contents;
const registrationName = `cached-profile-picture-sw-${createHash('sha256').update(registration).digest('hex').slice(0, 10)}.js`;
const lazyRegistration = {
  name: 'lazy-sw-registration',
  setup(builder) {
    builder.onResolve({ filter: /\/sw\/registration\.ts$/ }, ({ kind }) =>
      kind === 'dynamic-import' ? { path: `./${registrationName}`, external: true } : undefined,
    );
  },
};

await build({
  ...common,
  banner: compileEagerly,
  entryPoints: { 'cached-profile-picture': at('elements/index.ts') },
  outdir,
  plugins: [minifyCssLiterals, lazyLayer, lazyModules, lazyRegistration],
});
writeFileSync(`${outdir}${layerName}`, layerCode);
for (const name of [registrationName, 'sw-registration.js']) writeFileSync(`${outdir}${name}`, registration);
for (const { name, code } of lazyFiles) writeFileSync(`${outdir}${name}`, code);

// The demo site (served at / by the service): its script bundled, its pages laid out, its styles and images as
// they are. In dist/demo/, outside the package's files.
await build({ ...common, entryPoints: { demo: at('demo/app.ts') }, outdir: `${outdir}demo/` });
buildPages(`${outdir}demo/`);
for (const name of readdirSync(at('demo')).filter((n) => /\.(css|svg)$/.test(n)))
  copyFileSync(at(`demo/${name}`), `${outdir}demo/${name}`);

const entry = readFileSync(`${outdir}cached-profile-picture.js`);
const gzipped = gzipSync(entry, { level: 9 }).length;
const size = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(
  `dist/cached-profile-picture.js: ${size(entry.length)}, ${size(gzipped)} gzip (budget ${size(BUDGET_GZIP_BYTES)}); ` +
    `fetched when the bundle runs: dist/${layerName}, ${size(gzipSync(layerCode, { level: 9 }).length)} gzip`,
);
console.log(
  `fetched only when asked for (logSummary, <cache-dashboard>): ${lazyFiles.map(({ name, code }) => `dist/${name}, ${size(gzipSync(code, { level: 9 }).length)} gzip`).join('; ')}`,
);
console.log(
  `the service worker: dist/sw.js, ${size(gzipSync(readFileSync(`${outdir}sw.js`), { level: 9 }).length)} gzip; swManager, fetched only by pages that opt in: dist/${registrationName} (and dist/sw-registration.js), ${size(gzipSync(registration, { level: 9 }).length)} gzip`,
);
if (gzipped > BUDGET_GZIP_BYTES) {
  console.error('The bundle is over its budget.');
  process.exit(1);
}
