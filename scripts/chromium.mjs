// How Debian's Chromium is started for tests and benchmarks: as root it needs --no-sandbox, and without the
// background-networking flags it keeps trying to reach the internet, which this machine does not allow.
import { commandPath } from './ensure-tools.mjs';

/** The `chromium` on PATH, the one `npm test` checks for (Debian's package puts it at /usr/bin/chromium). */
export const CHROMIUM_PATH = commandPath('chromium') ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--disable-default-apps',
  '--disable-extensions',
];
