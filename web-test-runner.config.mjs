// Browser tests in Debian's Chromium, against the real image service (memory cache, files) started for the run.
// The dev server forwards /api and /images to it, so test pages reach it same-origin, and counts what reached it.
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/chromium.mjs';
import { cspPage } from './elements/testing/csp-page.mjs';
import { hostileServicePlugin } from './elements/testing/hostile-service.mjs';

const ADMIN_TOKEN = 'browser-tests-admin-token-0123456789abcdef';

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startService() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'pictures-browser-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'backend/node.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, ADMIN_TOKEN },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      await fetch(`${base}/healthz`);
      break;
    } catch {
      if (i > 300) throw new Error('the image service did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const stop = () => {
    child.kill();
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  return { base, stop };
}

const service = await startService();
/** Requests that reached the service, as a test reads them from /__requests. */
let reached = [];

/** Forwards /api and /images to the image service, and answers the tests' own /__ routes. */
async function imageService(ctx, next) {
  if (ctx.path === '/__requests') {
    if (ctx.method === 'DELETE') reached = [];
    ctx.body = { requests: reached };
    return;
  }
  if (ctx.path === '/__slow') {
    // An image on a slow network: nothing for `ms` milliseconds, then no picture.
    await new Promise((resolve) => setTimeout(resolve, Number(ctx.query.ms ?? 10_000)));
    ctx.status = 404;
    return;
  }
  if (ctx.path === '/__admin-token') {
    ctx.body = { token: ADMIN_TOKEN };
    return;
  }
  if (!ctx.path.startsWith('/api/') && !ctx.path.startsWith('/images/')) return next();
  reached.push(`${ctx.method} ${ctx.url}`);
  const headers = { ...ctx.headers };
  delete headers.host;
  const body = ['GET', 'HEAD'].includes(ctx.method) ? undefined : await readBody(ctx.req);
  const res = await fetch(`${service.base}${ctx.url}`, { method: ctx.method, headers, body, redirect: 'manual' });
  ctx.status = res.status;
  res.headers.forEach((value, key) => {
    if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive'].includes(key))
      ctx.set(key, value);
  });
  // Streamed, not buffered: /api/events never ends.
  ctx.body = res.body ? Readable.fromWeb(res.body) : null;
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export default {
  // *.node.test.ts drive a whole browser from Node (reloads, several pages): the Node runner takes those.
  files: ['elements/**/*.test.ts', 'sw/**/*.test.ts', '!**/*.node.test.ts'],
  hostname: '127.0.0.1',
  nodeResolve: { exportConditions: ['production'] },
  testFramework: { config: { timeout: 10_000 } },
  middleware: [
    imageService,
    // a page under Content-Security-Policy: style-src 'self', for what a strict site still shows
    cspPage,
    // lets a worker under a sub-path register with scope '/'
    function serviceWorkerAllowed(ctx, next) {
      if (/sw\.(ts|js)$/.test(ctx.path)) ctx.set('Service-Worker-Allowed', '/');
      return next();
    },
  ],
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: './tsconfig.json', target: 'es2022' }),
    { name: 'stop-image-service', serverStop: () => service.stop() },
    // A compromised image service on another origin, for the tests of what the page and the worker refuse.
    hostileServicePlugin(),
  ],
  browsers: [chromeLauncher({ launchOptions: { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS } })],
};
