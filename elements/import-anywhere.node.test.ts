// Every entry imports in plain Node, with no DOM and no shim, as a server renderer (Next.js, Astro, Nuxt, SvelteKit,
// Lit SSR) imports the package: nothing touches document, window, storage or matchMedia at module scope. Each import
// runs in a process of its own, so what one installs on globalThis (Lit's node build adds a customElements) cannot
// hide another's mistake. The TypeScript sources always; the package's built files too when lib/ exists (after
// `npm run build:package`).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const root = new URL('../', import.meta.url);

/**
 * The modules a page or a server may import first: the drop-in bundle's entry and the modules it fetches later (see
 * scripts/build.mjs), each element's own module, swManager and the wire contract.
 */
const SOURCES = [
  'elements/index.ts',
  'elements/cached-profile-picture/cached-profile-picture.ts',
  'elements/cache-dashboard/cache-dashboard.ts',
  'elements/store/picture-store-provider.ts',
  'elements/cache-dashboard/dashboard-body.ts',
  'elements/monitor/report.ts',
  'elements/store/layers/indexeddb.ts',
  'sw/registration.ts',
  'contract/picture.ts',
];

/**
 * The package's exports built into lib/, but the image service's own (`./backend`), which is server code. The drop-in
 * bundle in dist/ is left out too: it carries Lit's browser build, for pages.
 */
function builtEntries(): string[] {
  const { exports } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
    exports: Record<string, string | Record<string, string>>;
  };
  const targets = Object.values(exports).map((target) => (typeof target === 'string' ? target : target.default));
  return [
    ...new Set(
      targets.filter(
        (path): path is string =>
          !!path?.startsWith('./lib/') && path.endsWith('.js') && !path.startsWith('./lib/backend/'),
      ),
    ),
  ];
}

/** Imports `path` in a fresh Node process that checks first that it has no DOM; fails with what it printed. */
async function importAlone(path: string, typescript: boolean): Promise<void> {
  const url = pathToFileURL(new URL(path, root).pathname).href;
  const check = `if (typeof document !== 'undefined' || typeof window !== 'undefined') throw new Error('a DOM is there');
await import(${JSON.stringify(url)});`;
  const args = [...(typescript ? ['--import', 'tsx'] : []), '--input-type=module', '-e', check];
  try {
    await promisify(execFile)(process.execPath, args, { cwd: root });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    assert.fail(`importing ${path} in plain Node threw:\n${stderr || (error as Error).message}`);
  }
}

for (const path of SOURCES) {
  test(`${path} imports in plain Node`, () => importAlone(path, true));
}

const built = existsSync(new URL('lib/', root)) ? builtEntries() : [];
for (const path of built) {
  test(`${path} (built) imports in plain Node`, () => importAlone(path, false));
}
test(
  'the built package, when there is one, has entries to check',
  { skip: built.length === 0 && 'no lib/: run npm run build:package' },
  () => {
    assert.ok(built.includes('./lib/elements/index.js'));
  },
);
