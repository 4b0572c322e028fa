// The Deno entry (`npm run start:deno`): environment → parts → serve. It serves through Deno's `node:http`, as the
// Node entry does: `Deno.serve` (2.9) cannot close a connection that sends part of a request and stops.
import { getConnInfo } from '@hono/node-server/conninfo';
import { createApp } from './app.ts';
import { readConfig } from './config.ts';
import { startSeeding } from './demo/seed.ts';
import { demoUserFor } from './demo/sign-in.ts';
import { serveHttp } from './serve-http.ts';
import { wire } from './wiring.ts';

const config = readConfig(Deno.env.toObject());
const wired = await wire(config);
const shutdown = new AbortController();
const app = createApp({ ...wired.deps, connInfo: getConnInfo, demoUser: demoUserFor(config), shutdown: shutdown.signal });
// Before listening, so the first visitor sees the demo's people (a storage that is down is retried in the background).
if (config.seedDemo) await startSeeding({ fetch: app.fetch, secret: wired.userTokenSecret, signal: shutdown.signal });
const http = serveHttp({
  fetch: app.fetch,
  hostname: config.host,
  port: config.port,
  headersTimeoutMs: config.headersTimeoutMs,
  uploadTimeoutMs: config.uploadTimeoutMs,
  onListen: (port) => console.log(`Image service on http://${config.host}:${port} (${wired.describe})`),
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  Deno.addSignalListener(signal, () => {
    // Requests in flight finish (event streams end at once), then the clients close; a stuck request gets 5 s.
    setTimeout(() => Deno.exit(1), 5_000);
    shutdown.abort();
    void http.stop().then(() => wired.close()).finally(() => Deno.exit(0));
  });
}
