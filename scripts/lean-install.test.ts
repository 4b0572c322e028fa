// What a page-side install costs: the packed package installed into a fresh app brings lit, @lit/context, idb and
// their dependencies, and none of the image service's packages (optional peers); its `./backend` entry then says
// which ones to install. Before, the same install brought 52 packages and 29 MB, the service's among them.
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { installedApp, packedTarball, root, run } from './testing/packed.ts';

const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as {
  name: string;
  peerDependencies: Record<string, string>;
};
const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dependencies?: Record<string, string> }>;
};

/** The page side's packages and everything they depend on, as this checkout's lockfile resolves them. */
function withDependencies(names: string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const dependency of Object.keys(lock.packages[`node_modules/${name}`]?.dependencies ?? {})) visit(dependency);
  };
  names.forEach(visit);
  return [...seen];
}

let app: string;

before(async () => {
  app = await installedApp(await packedTarball());
});
after(() => app && rm(app, { recursive: true, force: true }));

test('installed from its tarball, the package brings only lit, @lit/context, idb and their dependencies', async (t) => {
  const installed = JSON.parse(await readFile(join(app, 'node_modules/.package-lock.json'), 'utf8')) as {
    packages: Record<string, unknown>;
  };
  const names = Object.keys(installed.packages)
    .filter(Boolean)
    .map((path) => path.replace(/^.*node_modules\//, ''))
    .sort();
  assert.deepEqual(names, [pkg.name, ...withDependencies(['lit', '@lit/context', 'idb'])].sort());
  for (const peer of ['hono', '@hono/node-server', 'ioredis', 'minio', 'sharp', 'prom-client'])
    assert.ok(!names.includes(peer), `${peer} is not installed`);

  const { stdout } = await run('du', ['-sk', join(app, 'node_modules')]);
  const kilobytes = Number(stdout.split('\t')[0]);
  t.diagnostic(`${names.length} packages, ${(kilobytes / 1024).toFixed(1)} MB on disk (was 52 packages, 29 MB)`);
  assert.ok(kilobytes < 10 * 1024, `${kilobytes} KB`);
});

test("without the service's packages, the ./backend entry names every one missing and the command that adds them", async () => {
  const missing = ['hono', 'ioredis', 'minio', 'prom-client', 'sharp'];
  const expected = `cached-profile-pictures/backend needs ${missing.join(', ')}, not installed with the elements: npm install ${missing.map((name) => `${name}@${pkg.peerDependencies[name]}`).join(' ')}`;
  const script = `import('${pkg.name}/backend').then(() => console.log('loaded'), (error) => console.log(error.message));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app });
  assert.equal(stdout.trim(), expected);
});
