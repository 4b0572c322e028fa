// The package as an app gets it: the tarball `npm pack` makes, installed by `npm install` into a fresh directory
// outside this checkout, so that nothing resolves from the checkout's node_modules by accident.
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { pack } from './pack.mjs';

export const run = promisify(execFile);
export const root = new URL('../../', import.meta.url).pathname;

let packed: Promise<string> | undefined;

/** The tarball `npm test` packed for this run (PACKED_TARBALL), else one packed now (`prepack` builds first). */
export function packedTarball(): Promise<string> {
  packed ??= process.env.PACKED_TARBALL
    ? Promise.resolve(process.env.PACKED_TARBALL)
    : mkdtemp(join(tmpdir(), 'packed-')).then((dir) => {
        process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
        return pack(dir);
      });
  return packed;
}

/** The paths in the tarball, as npm names them (`lib/…`, `package.json`). */
export async function packedFiles(tarball: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tzf', tarball], { maxBuffer: 16 << 20 });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''));
}

/**
 * A fresh app with the tarball installed as `npm install <tarball>` does (from npm's cache when it can), and
 * `links`: packages the app would have installed itself (React, Vue, Svelte), linked from this checkout.
 */
export async function installedApp(tarball: string, links: readonly string[] = []): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'app-'));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: dir });
  for (const name of links) {
    await mkdir(dirname(join(dir, 'node_modules', name)), { recursive: true });
    await symlink(join(root, 'node_modules', name), join(dir, 'node_modules', name));
  }
  return dir;
}
