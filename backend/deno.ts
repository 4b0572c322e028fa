// The Deno entry (`npm run start:deno`): environment → parts → serve.
import { createApp } from './app.ts';
import { readConfig } from './config.ts';
import { startSeeding } from './demo/seed.ts';
import { demoUserFor } from './demo/sign-in.ts';
import { wire } from './wiring.ts';

const config = readConfig(Deno.env.toObject());
const wired = await wire(config);
const shutdown = new AbortController();
const app = createApp({ ...wired.deps, demoUser: demoUserFor(config), shutdown: shutdown.signal });
// Before listening, so the first visitor sees the demo's people (a storage that is down is retried in the background).
if (config.seedDemo) await startSeeding({ fetch: app.fetch, secret: wired.userTokenSecret, signal: shutdown.signal });
const server = Deno.serve({ hostname: config.host, port: config.port, onListen: ({ port }) => {
  console.log(`Image service on http://${config.host}:${port} (${wired.describe})`);
} }, app.fetch);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  Deno.addSignalListener(signal, () => {
    // Requests in flight finish (event streams end at once), then the clients close; a stuck request gets 5 s.
    setTimeout(() => Deno.exit(1), 5_000);
    shutdown.abort();
    void server.shutdown().then(() => wired.close()).finally(() => Deno.exit(0));
  });
}
