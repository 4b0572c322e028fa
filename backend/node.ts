// The Node entry (`npm start`): environment → parts → serve.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { readConfig } from './config.ts';
import { startSeeding } from './demo/seed.ts';
import { demoUserFor } from './demo/sign-in.ts';
import { wire } from './wiring.ts';

const config = readConfig(process.env);
const wired = await wire(config);
const shutdown = new AbortController();
const app = createApp({ ...wired.deps, demoUser: demoUserFor(config), shutdown: shutdown.signal });
// Before listening, so the first visitor sees the demo's people (a storage that is down is retried in the background).
if (config.seedDemo) await startSeeding({ fetch: app.fetch, secret: wired.userTokenSecret, signal: shutdown.signal });
const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, ({ port }) => {
  console.log(`Image service on http://${config.host}:${port} (${wired.describe})`);
});

// A connection that has sent nothing yet (a browser's preconnect) counts as busy to Node, so a shutdown would wait
// for the client to close it.
const sockets = new Set<Socket>();
server.on('connection', (socket: Socket) => {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    // Requests in flight finish (event streams end at once), then the clients close; a stuck request gets 5 s.
    setTimeout(() => process.exit(1), 5_000).unref();
    shutdown.abort();
    server.close(() => void wired.close().finally(() => process.exit(0)));
    // close() drops the connections idle now; these finish their last answer (an event stream) a moment later.
    setInterval(() => {
      (server as Server).closeIdleConnections();
      for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy();
    }, 50).unref();
  });
}
