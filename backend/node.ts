// The Node entry (`npm start`): environment → parts → serve.
import { getConnInfo } from '@hono/node-server/conninfo';
import { createApp } from './app.ts';
import { configure } from './configure.ts';
import { startSeeding } from './demo/seed.ts';
import { demoUserFor } from './demo/sign-in.ts';
import { serveHttp } from './serve-http.ts';
import { startupLine } from './startup-line.ts';

const { config, wired } = await configure(process.env, process.exit);
const shutdown = new AbortController();
const app = createApp({
  ...wired.deps,
  connInfo: getConnInfo,
  demoUser: demoUserFor(config),
  shutdown: shutdown.signal,
});
// Before listening, so the first visitor sees the demo's people (a storage that is down is retried in the background).
if (config.seedDemo) await startSeeding({ fetch: app.fetch, secret: wired.userTokenSecret, signal: shutdown.signal });
const http = serveHttp({
  fetch: app.fetch,
  hostname: config.host,
  port: config.port,
  headersTimeoutMs: config.headersTimeoutMs,
  uploadTimeoutMs: config.uploadTimeoutMs,
  // A refused upload's client reads its 429 or 503 before the connection closes (see serveHttp).
  lingerMs: 2_000,
  onListen: (port) => console.log(startupLine(config.host, port, wired.deps.assets?.has('') ?? false, wired.describe)),
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // Requests in flight finish (event streams end at once), then the clients close; a stuck request gets 5 s.
    setTimeout(() => process.exit(1), 5_000).unref();
    shutdown.abort();
    void http
      .stop()
      .then(() => wired.close())
      .finally(() => process.exit(0));
  });
}
