// The Deno entry (`npm run start:deno`): environment → parts → serve.
import { createApp } from './app.ts';
import { readConfig } from './config.ts';
import { wire } from './wiring.ts';

const config = readConfig(Deno.env.toObject());
const wired = await wire(config);
const shutdown = new AbortController();
const server = Deno.serve({ hostname: config.host, port: config.port, onListen: ({ port }) => {
  console.log(`Image service on http://${config.host}:${port} (${wired.describe})`);
} }, createApp({ ...wired.deps, shutdown: shutdown.signal }).fetch);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  Deno.addSignalListener(signal, () => {
    // Requests in flight finish (event streams end at once), then the clients close; a stuck request gets 5 s.
    setTimeout(() => Deno.exit(1), 5_000);
    shutdown.abort();
    void server.shutdown().then(() => wired.close()).finally(() => Deno.exit(0));
  });
}
