#!/usr/bin/env node
// Runs every test: the type checks (tsc, and Deno's for its entry), the builds (the bundle, the package), the Node
// suites (backend, scripts, the demo end to end) and the browser suites (elements, sw, in Chromium), each test
// counted; ends with one line `N passed, N failed`. It first brings what the tests need (redis-server, Chromium,
// exiftool) when it is missing.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTools } from './ensure-tools.mjs';
import { pack } from './testing/pack.mjs';

const root = new URL('..', import.meta.url).pathname;

function testFiles(dir, suffix = '.test.ts') {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
}

/** Runs a command, echoing its output, and resolves with its exit code and what it printed. */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

ensureTools([
  { command: 'redis-server', apt: 'redis-server' },
  { command: 'chromium', apt: 'chromium' },
  // Asked what each served image carries (backend/images/metadata.test.ts).
  { command: 'exiftool', apt: 'libimage-exiftool-perl' },
]);
let passed = 0;
let failed = 0;

console.log('\n# Type check');
const tsc = await run('npx', ['tsc', '--noEmit', '-p', root]);
tsc.code === 0 ? passed++ : failed++;
// The Deno entry uses Deno's own APIs, so tsc leaves it out; Deno checks it with the core it imports.
const denoCheck = await run(join(root, 'node_modules/.bin/deno'), ['check', 'backend/deno.ts']);
denoCheck.code === 0 ? passed++ : failed++;

console.log('\n# Lint (the format, the lint rules, and the imports between our modules)');
const lint = await run('npx', ['biome', 'check', root]);
lint.code === 0 ? passed++ : failed++;
const imports = await run(process.execPath, ['scripts/check-imports.mjs']);
imports.code === 0 ? passed++ : failed++;

console.log('\n# Build (the drop-in bundle, within its budget)');
const bundle = await run(process.execPath, ['scripts/build.mjs']);
bundle.code === 0 ? passed++ : failed++;

console.log('\n# Package (lib/ and custom-elements.json), packed once for scripts/*.test.ts');
const lib = await run(process.execPath, ['scripts/build-package.mjs']);
lib.code === 0 ? passed++ : failed++;
const packDir = mkdtempSync(join(tmpdir(), 'packed-'));
// Packed from what was just built: packing with `prepack` would build dist/ again while other tests serve it.
if (lib.code === 0 && bundle.code === 0) process.env.PACKED_TARBALL = pack(packDir, { built: true });

console.log('\n# Node tests');
const files = [
  ...testFiles('backend'),
  ...testFiles('scripts'),
  ...testFiles('elements', '.node.test.ts'),
  ...testFiles('demo', '.node.test.ts'),
  ...testFiles('sw', '.node.test.ts'),
];
// A test that hangs fails after 3 minutes instead of holding the run (the slowest test takes about 30 s).
const node = await run(process.execPath, [
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  '--test-concurrency=2',
  '--test-timeout=180000',
  ...files,
]);
const count = (name) => Number(node.out.match(new RegExp(`^ℹ ${name} (\\d+)`, 'm'))?.[1] ?? 0);
passed += count('pass');
failed += count('fail') + count('cancelled');
if (node.code !== 0 && count('fail') + count('cancelled') === 0) failed++;

console.log('\n# Browser tests');
const browserFiles = [...testFiles('elements'), ...testFiles('sw')].filter((f) => !f.endsWith('.node.test.ts'));
if (browserFiles.length) {
  const browser = await run('npx', ['web-test-runner', '--config', 'web-test-runner.config.mjs']);
  const summary = [...browser.out.matchAll(/(\d+) passed, (\d+) failed/g)].at(-1);
  passed += Number(summary?.[1] ?? 0);
  failed += Number(summary?.[2] ?? 0);
  if (browser.code !== 0 && !Number(summary?.[2] ?? 0)) failed++;
}

rmSync(packDir, { recursive: true, force: true });
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
