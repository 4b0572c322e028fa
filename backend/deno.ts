// The Deno entry (`npm run start:deno`): environment → parts → serve. It serves through Deno's `node:http`, as the
// Node entry does: `Deno.serve` (2.9) cannot close a connection that sends part of a request and stops.
import { getConnInfo } from '@hono/node-server/conninfo';
import { createApp } from './app.ts';
import type { Config, ConfigError } from './config.ts';
import { configure } from './configure.ts';
import { startSeeding } from './demo/seed.ts';
import { demoUserFor } from './demo/sign-in.ts';
import { serveHttp } from './serve-http.ts';
import { startupLine } from './startup-line.ts';

const { config, wired } = await configure(Deno.env.toObject(), Deno.exit, explainPermission);
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
  onListen: (port) => console.log(startupLine(config.host, port, wired.deps.assets?.has('') ?? false, wired.describe)),
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  Deno.addSignalListener(signal, () => {
    // Requests in flight finish (event streams end at once), then the clients close; a stuck request gets 5 s.
    setTimeout(() => Deno.exit(1), 5_000);
    shutdown.abort();
    void http
      .stop()
      .then(() => wired.close())
      .finally(() => Deno.exit(0));
  });
}

/**
 * A DATA_DIR outside the folders `--allow-read` and `--allow-write` name fails with Deno's own advice, to run again
 * "with the --allow-write flag", which would open every folder: this names the folder to add instead.
 */
function explainPermission(error: ConfigError, config?: Config): string {
  if (!config || !error.message.startsWith('DATA_DIR ') || !(error.cause instanceof Deno.errors.NotCapable))
    return error.message;
  const dir = /^[\w./-]+$/.test(config.dataDir) ? config.dataDir : `'${config.dataDir.replaceAll("'", "'\\''")}'`;
  return `DATA_DIR ${config.dataDir} is outside the folders this Deno process may read and write: add --allow-read=${dir} --allow-write=${dir} to its deno run command, before backend/deno.ts (npm run start:deno allows .data only).`;
}
