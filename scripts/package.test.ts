// The package a developer installs: `npm pack` (which builds it first) holds the compiled modules with their
// types, the drop-in bundle and the elements' manifest, and nothing else; installed, its entry points resolve.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';

const run = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string | { types: string; default: string }>;
  dependencies: Record<string, string>;
};

let dir: string;
let files: string[];
/** Where the packed package is unpacked, as `npm install` would put it. */
let installed: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'package-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, maxBuffer: 64 << 20 });
  // The build run by `prepack` prints to stdout before npm's JSON.
  const [packed] = JSON.parse(stdout.slice(stdout.lastIndexOf('\n[') + 1)) as { filename: string; files: { path: string }[] }[];
  files = packed!.files.map((f) => f.path);
  installed = join(dir, 'node_modules', pkg.name);
  await mkdir(installed, { recursive: true });
  await run('tar', ['-xzf', join(dir, packed!.filename), '-C', installed, '--strip-components=1']);
  // Its dependencies, from this checkout: an install without the registry.
  for (const name of Object.keys(pkg.dependencies)) {
    await mkdir(join(dir, 'node_modules', name, '..'), { recursive: true });
    await symlink(join(root, 'node_modules', name), join(dir, 'node_modules', name));
  }
});
after(() => rm(dir, { recursive: true, force: true }));

test('the package holds the modules with their types, the bundle and the manifest', () => {
  for (const file of ['lib/elements/index.js', 'lib/elements/index.d.ts', 'lib/backend/index.js', 'lib/backend/index.d.ts',
    'lib/contract/picture.d.ts', 'dist/cached-profile-picture.js', 'custom-elements.json', 'README.md', 'package.json']) {
    assert.ok(files.includes(file), `${file} is packed`);
  }
  assert.ok(files.some((f) => /^dist\/cached-profile-picture-indexeddb-[0-9a-f]{10}\.js$/.test(f)), 'the bundle\'s IndexedDB module is packed');
});

test('the package holds nothing a user does not need: no tests, test helpers, sources, demo or data', () => {
  const unwanted = files.filter((f) => /\.test\.|\/testing\/|^(backend|elements|sw|demo|bench|scripts|contract)\/|\.data\/|\.ts$/.test(f) && !f.endsWith('.d.ts'));
  assert.deepEqual(unwanted, []);
});

test('every export of package.json points at a packed file', () => {
  for (const [entry, target] of Object.entries(pkg.exports)) {
    for (const path of typeof target === 'string' ? [target] : [target.types, target.default]) {
      assert.ok(files.includes(path.replace(/^\.\//, '')), `${entry} → ${path} is packed`);
    }
  }
});

test('installed, the backend entry resolves by the package name and serves', async () => {
  const script = `
    import { createApp, createMemoryCache, createMemoryEventBus, createFileStorage } from '${pkg.name}/backend';
    const app = createApp({ cache: createMemoryCache(), events: createMemoryEventBus(), storage: createFileStorage({ dir: ${JSON.stringify(join(dir, 'data'))} }), auth: {} });
    const res = await app.request('/api/pictures/nobody');
    console.log(res.status, (await res.json()).error.code);`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
  assert.equal(stdout.trim(), '404 not_found');
});

test('custom-elements.json describes each element with its attributes, events, parts and custom properties', async () => {
  const manifest = JSON.parse(await readFile(join(installed, 'custom-elements.json'), 'utf8')) as {
    modules: { path: string; declarations?: { tagName?: string; attributes?: { name: string }[]; events?: { name: string }[]; cssParts?: { name: string }[]; cssProperties?: { name: string }[] }[] }[];
  };
  const elements = new Map(manifest.modules.flatMap((m) => (m.declarations ?? []).filter((d) => d.tagName).map((d) => [d.tagName!, { ...d, path: m.path }] as const)));
  const picture = elements.get('cached-profile-picture');
  assert.ok(picture, 'cached-profile-picture is described');
  assert.deepEqual(picture.attributes?.map((a) => a.name), ['user-id', 'label', 'size', 'shape', 'loading', 'api-base']);
  assert.deepEqual(picture.events?.map((e) => e.name), ['picture-load', 'picture-error']);
  assert.deepEqual(picture.cssParts?.map((p) => p.name), ['image', 'fallback']);
  assert.deepEqual(picture.cssProperties?.map((p) => p.name), ['--size', '--radius', '--fallback-color', '--fallback-background']);
  assert.ok(elements.has('picture-store-provider'), 'picture-store-provider is described');
  for (const [tag, { path }] of elements) {
    assert.ok(files.includes(path), `${tag}'s module ${path} is packed`);
  }
  assert.deepEqual(await readdir(join(installed, 'lib')), ['backend', 'contract', 'elements', 'sw']);
});
