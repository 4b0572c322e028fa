// `npm pack` of this checkout, for the package tests: `npm test` packs once for them all (after building lib/
// and dist/ itself), a package test run alone packs for itself.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;

/**
 * Packs the package into `destination` and answers the tarball's path. `built`: lib/ and dist/ are fresh, so
 * npm skips `prepack` (which would build them again while other tests read dist/).
 */
export function pack(destination, { built = false } = {}) {
  const args = ['pack', '--json', '--pack-destination', destination, ...(built ? ['--ignore-scripts'] : [])];
  const stdout = execFileSync('npm', args, {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The build run by `prepack` prints to stdout before npm's JSON.
  const [packed] = JSON.parse(stdout.slice(stdout.lastIndexOf('\n[') + 1));
  return join(destination, packed.filename);
}
