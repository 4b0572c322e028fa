// Brings command-line tools from Debian's packages when they are missing: installs them when run as root,
// otherwise stops at once with the exact command to run.
import { spawnSync } from 'node:child_process';

/** Where `command` is on PATH, or `undefined` when it is not there. @param {string} command */
export function commandPath(command) {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

const has = (command) => commandPath(command) !== undefined;

/** @param {{command: string, apt: string}[]} needs tools by command name, and the Debian package that has each */
export function ensureTools(needs) {
  const missing = needs.filter((n) => !has(n.command));
  if (!missing.length) return;
  const packages = missing.map((n) => n.apt).join(' ');
  if (process.getuid?.() !== 0) {
    console.error(
      `Missing ${missing.map((n) => n.command).join(', ')}. Install with:\n  sudo apt-get update && sudo apt-get install -y ${packages}`,
    );
    process.exit(1);
  }
  console.log(`Installing ${packages} from Debian's packages…`);
  const run = spawnSync(
    'sh',
    ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${packages}`],
    { stdio: 'inherit' },
  );
  if (run.status !== 0 || missing.some((n) => !has(n.command))) {
    console.error(`Could not install ${packages}; run: apt-get update && apt-get install -y ${packages}`);
    process.exit(1);
  }
}
