// The package a developer installs: `npm pack` holds the compiled modules with their types, the framework types and
// React wrappers, editor data, the drop-in bundle and the elements' manifest, and nothing else; its modules name
// no `.ts` file; package.json describes it for npm and for bundlers; installed, the backend entry serves.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { installedApp, packedFiles, packedTarball, root, run } from './testing/packed.ts';

type Target = string | { types: string; default?: string };
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
  name: string;
  private?: boolean;
  exports: Record<string, Target>;
  sideEffects: string[];
  customElements: string;
  'web-types': string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

let tarball: string;
let files: string[];
/** An app with the package and the image service's packages (its optional peers) installed, as an operator's. */
let app: string;

before(async () => {
  tarball = await packedTarball();
  files = await packedFiles(tarball);
  app = await installedApp(tarball, ['hono', 'ioredis', 'minio', 'prom-client', 'sharp']);
});
after(() => app && rm(app, { recursive: true, force: true }));

const installed = (path: string) => readFile(join(app, 'node_modules', pkg.name, path), 'utf8');

test('the package holds the modules with their types, the framework types, the wrappers, the bundle and editor data', () => {
  for (const file of [
    'lib/elements/index.js',
    'lib/elements/index.d.ts',
    'lib/backend/entry.js',
    'lib/backend/index.d.ts',
    'lib/contract/picture.d.ts',
    'lib/react/index.js',
    'lib/react/index.d.ts',
    'lib/types/react.d.ts',
    'lib/types/vue.d.ts',
    'lib/types/svelte.d.ts',
    'lib/types/jsx.d.ts',
    'lib/web-types.json',
    'lib/vscode.html-custom-data.json',
    'lib/vscode.css-custom-data.json',
    'dist/cached-profile-picture.js',
    'custom-elements.json',
    'README.md',
    'package.json',
  ]) {
    assert.ok(files.includes(file), `${file} is packed`);
  }
  assert.ok(
    files.some((f) => /^dist\/cached-profile-picture-indexeddb-[0-9a-f]{10}\.js$/.test(f)),
    "the bundle's IndexedDB module is packed",
  );
});

test('the bundle, its IndexedDB module and the service worker ask Chromium to compile them as they stream', async () => {
  const loadedAtOnce = files.filter((f) => /^dist\/(cached-profile-picture(-indexeddb-[0-9a-f]{10})?|sw)\.js$/.test(f));
  assert.equal(loadedAtOnce.length, 3, `three of them packed: ${loadedAtOnce.join(', ')}`);
  for (const file of loadedAtOnce) {
    const text = await readFile(join(root, file), 'utf8');
    assert.ok(text.startsWith('//# allFunctionsCalledOnLoad\n'), `${file} starts with V8's compile hint`);
  }
});

test('the package holds nothing a user does not need: no tests, test helpers, sources, demo or data', () => {
  const unwanted = files.filter(
    (f) =>
      /\.test\.|\/testing\/|^(backend|elements|sw|demo|bench|scripts|contract)\/|\.data\/|\.ts$/.test(f) &&
      !f.endsWith('.d.ts'),
  );
  assert.deepEqual(unwanted, []);
});

test('no shipped module or declaration names a .ts file: every import, export, import() and import type names .js', async () => {
  const specifier = /(?:from\s*|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g;
  const named: string[] = [];
  for (const file of files.filter((f) => /\.(js|d\.ts)$/.test(f))) {
    for (const [, path] of (await installed(file)).matchAll(specifier))
      if (/^\.{1,2}\/.*\.[mc]?tsx?$/.test(path!) && !path!.endsWith('.d.ts')) named.push(`${file}: ${path}`);
  }
  assert.deepEqual(named, []);
});

test('every export of package.json, and the manifests it names, point at packed files', () => {
  for (const [entry, target] of Object.entries(pkg.exports)) {
    const paths = typeof target === 'string' ? [target] : [target.types, target.default].filter((p) => p !== undefined);
    for (const path of paths) assert.ok(files.includes(path.replace(/^\.\//, '')), `${entry} → ${path} is packed`);
  }
  for (const path of [pkg.customElements, pkg['web-types']])
    assert.ok(files.includes(path.replace(/^\.\//, '')), `${path} is packed`);
});

test("package.json: publishable, the page side's three dependencies, the service's packages optional peers", () => {
  assert.equal(pkg.private, undefined);
  assert.deepEqual(Object.keys(pkg.dependencies).sort(), ['@lit/context', 'idb', 'lit']);
  for (const [name, range] of Object.entries(pkg.peerDependencies)) {
    assert.equal(pkg.peerDependenciesMeta[name]?.optional, true, `${name} is optional`);
    // `npm install && npm start` in this checkout still brings the service's packages.
    if (!['react', 'vue', 'svelte'].includes(name))
      assert.ok(
        pkg.devDependencies[name] && range === `^${pkg.devDependencies[name]}`,
        `${name} ${range} is in devDependencies`,
      );
  }
});

test('sideEffects: each pattern names packed files, and every module that defines an element or a global is among them', () => {
  const pattern = (glob: string) =>
    new RegExp(
      `^${glob
        .replace(/^\.\//, '')
        .replace(/[.]/g, '\\.')
        .replace(/\*\*/g, '.+')
        .replace(/(?<!\.)\*/g, '[^/]+')}$`,
    );
  const patterns = pkg.sideEffects.map(pattern);
  // The drop-in bundle is built from the sources by esbuild, which reads this same field: their patterns name
  // source files of the repository, the others packed files.
  for (const [i, glob] of pkg.sideEffects.entries()) {
    assert.ok(
      files.some((f) => patterns[i]!.test(f)) || existsSync(join(root, glob)),
      `${glob} names a packed or a source file`,
    );
  }
  const defining = [
    'elements/index',
    'elements/store/context-root',
    'elements/store/picture-store-provider',
    'elements/cached-profile-picture/cached-profile-picture',
    'elements/cache-dashboard/cache-dashboard',
    'elements/monitor/page-monitor',
  ];
  for (const file of defining.flatMap((f) => [`lib/${f}.js`, `${f}.ts`]))
    assert.ok(
      patterns.some((p) => p.test(file)),
      `${file} has side effects`,
    );
  assert.ok(!patterns.some((p) => p.test('lib/elements/store/picture-store.js')), 'the store module is free to drop');
});

test('npm publish --dry-run accepts it as it is, correcting nothing', async () => {
  const { stdout, stderr } = await run('npm', ['publish', '--dry-run', '--ignore-scripts', '--offline'], {
    cwd: root,
    maxBuffer: 16 << 20,
  });
  assert.match(stdout, new RegExp(`^\\+ ${pkg.name}@`, 'm'));
  assert.doesNotMatch(stderr, /auto-corrected|npm error/);
});

test("installed with the service's packages, the backend entry resolves by the package name and serves", async () => {
  const script = `
    import { createApp, createMemoryCache, createMemoryEventBus, createFileStorage } from '${pkg.name}/backend';
    const app = createApp({ cache: createMemoryCache(), events: createMemoryEventBus(), storage: createFileStorage({ dir: ${JSON.stringify(join(app, 'data'))} }), auth: {} });
    const res = await app.request('/api/pictures/nobody');
    console.log(res.status, (await res.json()).error.code);`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app });
  assert.equal(stdout.trim(), '404 not_found');
});

test('custom-elements.json describes each element with its attributes, typed events, parts and custom properties', async () => {
  const manifest = JSON.parse(await installed('custom-elements.json')) as {
    modules: {
      path: string;
      declarations?: {
        tagName?: string;
        attributes?: { name: string }[];
        events?: { name: string; type?: { text: string } }[];
        cssParts?: { name: string }[];
        cssProperties?: { name: string }[];
      }[];
    }[];
  };
  const elements = new Map(
    manifest.modules.flatMap((m) =>
      (m.declarations ?? []).filter((d) => d.tagName).map((d) => [d.tagName!, { ...d, path: m.path }] as const),
    ),
  );
  const picture = elements.get('cached-profile-picture');
  assert.ok(picture, 'cached-profile-picture is described');
  assert.deepEqual(
    picture.attributes?.map((a) => a.name),
    ['user-id', 'label', 'initials', 'decorative', 'size', 'shape', 'loading', 'api-base'],
  );
  assert.deepEqual(
    picture.events?.map((e) => [e.name, e.type?.text]),
    [
      ['picture-load', 'PictureLoadDetail'],
      ['picture-error', 'PictureErrorDetail'],
    ],
  );
  assert.deepEqual(
    picture.cssParts?.map((p) => p.name),
    ['image', 'fallback'],
  );
  assert.deepEqual(
    picture.cssProperties?.map((p) => p.name),
    ['--size', '--radius', '--fallback-color', '--fallback-background'],
  );
  assert.ok(elements.has('picture-store-provider'), 'picture-store-provider is described');
  assert.ok(elements.has('cache-dashboard'), 'cache-dashboard is described');
  for (const [tag, { path }] of elements) assert.ok(files.includes(path), `${tag}'s module ${path} is packed`);
  // The events' detail types are the root's: what the framework types and wrappers import.
  const rootTypes = await installed('lib/elements/index.d.ts');
  for (const type of ['PictureLoadDetail', 'PictureErrorDetail', 'WorkerNotice'])
    assert.match(rootTypes, new RegExp(`\\b${type}\\b`), `${type} is exported from the root`);
});

test("editors offer an attribute's values, an alias's (shape: Shape) spelt out, in VS Code and JetBrains", async () => {
  type Attribute = { name: string; values: { name: string }[]; value: { type: string } };
  const vscode = JSON.parse(await installed('lib/vscode.html-custom-data.json')) as {
    tags: { name: string; attributes: Attribute[] }[];
  };
  const webTypes = JSON.parse(await installed('lib/web-types.json')) as {
    contributions: { html: { elements: { name: string; attributes: Attribute[] }[] } };
  };
  const attribute = (tags: { name: string; attributes: Attribute[] }[], tag: string, name: string) =>
    tags.find((t) => t.name === tag)?.attributes.find((a) => a.name === name);
  for (const [tag, name, values] of [
    ['cached-profile-picture', 'shape', ['circle', 'rounded', 'square']],
    ['cached-profile-picture', 'loading', ['lazy', 'eager']],
    ['cache-dashboard', 'position', ['bottom-right', 'bottom-left', 'top-right', 'top-left']],
  ] as const) {
    assert.deepEqual(
      attribute(vscode.tags, tag, name)?.values.map((value) => value.name),
      values,
      `VS Code offers ${tag}'s ${name} values`,
    );
    const typed = attribute(webTypes.contributions.html.elements, tag, name)?.value.type.split('|');
    assert.deepEqual(
      typed?.map((value) => value.trim().replace(/'/g, '')).filter((value) => value !== 'undefined'),
      values,
      `JetBrains offers ${tag}'s ${name} values`,
    );
  }
});
