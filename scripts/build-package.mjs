#!/usr/bin/env node
// Builds what `npm pack` ships besides the bundles in dist/: lib/ (the compiled modules and their declarations, the
// backend's entry, the framework types, the React wrappers, editor data) and custom-elements.json. Fails when a
// shipped module still names a `.ts` file, which no bundler or runtime given the package can load.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeBackendEntry } from './package/backend-entry.mjs';
import { compile } from './package/compile.mjs';
import { writeFrameworkEntries } from './package/framework-entries.mjs';
import { generateIntegrations } from './package/integrations.mjs';

const root = new URL('..', import.meta.url).pathname;
const lib = join(root, 'lib');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

rmSync(lib, { recursive: true, force: true });
compile(join(root, 'tsconfig.build.json'));
await writeBackendEntry(lib, pkg.peerDependencies);
execFileSync(
  join(root, 'node_modules/.bin/cem'),
  ['analyze', '--config', 'scripts/custom-elements-manifest.config.mjs'],
  { cwd: root, stdio: 'inherit' },
);
generateIntegrations(JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8')), lib);
writeFrameworkEntries(join(lib, 'types'));

const tsSpecifier = /(?:from\s*|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]*?(?<!\.d)\.[mc]?tsx?)['"]/g;
const named = readdirSync(lib, { recursive: true })
  .filter((f) => /\.(m?js|d\.ts)$/.test(f))
  .flatMap((f) => [...readFileSync(join(lib, f), 'utf8').matchAll(tsSpecifier)].map((m) => `lib/${f}: ${m[1]}`));
if (named.length) throw new Error(`Shipped modules name .ts files:\n${named.join('\n')}`);
