// The Deno entry (`npm run start:deno`): environment → parts → serve.
import { createApp } from './app.ts';
import { readConfig } from './config.ts';
import { wire } from './wiring.ts';

const config = readConfig(Deno.env.toObject());
const wired = await wire(config);
const server = Deno.serve({ hostname: config.host, port: config.port, onListen: ({ port }) => {
  console.log(`Image service on http://${config.host}:${port} (${wired.describe})`);
} }, createApp(wired.deps).fetch);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  Deno.addSignalListener(signal, () => {
    void server.shutdown().then(() => wired.close()).finally(() => Deno.exit(0));
  });
}
