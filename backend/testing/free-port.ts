import { createServer } from 'node:net';

/**
 * Ports below Linux's ephemeral range (32768–60999), which outgoing connections take their local ports from: a
 * server that a test stops and starts again on its port (Redis, the S3 server) would otherwise find it taken by
 * some client's connection meanwhile.
 */
const FIRST = 20_000;
const COUNT = 12_000;

/** Handed out by this process: two servers started at once (Redis and S3) must not get the same one. */
const given = new Set<number>();

/** A TCP port on 127.0.0.1 that nothing listens on now and this process has not handed out, for a test's server. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = FIRST + Math.floor(Math.random() * COUNT);
    if (given.has(port)) continue;
    given.add(port);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port found between ${FIRST} and ${FIRST + COUNT}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
