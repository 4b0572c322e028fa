// The Node entry (`npm start`): environment → parts → serve.
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { readConfig } from './config.ts';
import { wire } from './wiring.ts';

const config = readConfig(process.env);
const wired = await wire(config);
const server = serve({ fetch: createApp(wired.deps).fetch, hostname: config.host, port: config.port }, ({ port }) => {
  console.log(`Image service on http://${config.host}:${port} (${wired.describe})`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    void wired.close().finally(() => process.exit(0));
  });
}
