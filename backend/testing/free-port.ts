import { createServer } from 'node:net';

/**
 * Ports below Linux's ephemeral range (32768–60999), which outgoing connections take their local ports from: a
 * server that a test stops and starts again on its port (Redis, the S3 server) would otherwise find it taken by
 * some client's connection meanwhile.
 */
const FIRST = 20_000;
const COUNT = 12_000;
/** Where Linux's ephemeral range begins. */
const EPHEMERAL = 32_768;

/** Handed out by this process: two servers started at once (Redis and S3) must not get the same one. */
const given = new Set<number>();

/**
 * A TCP port on 127.0.0.1 that nothing listens on now and this process has not handed out, for a test's server.
 * With `plus`, `port + plus` is free too, and also below the ephemeral range: a Redis Cluster node listens on its
 * port plus 10,000 for the cluster bus, and a client's connection that took that port meanwhile stops the node's
 * start ("Failed listening on port … (cluster)").
 */
export async function freePort({ plus }: { plus?: number } = {}): Promise<number> {
  const count = plus ? Math.min(COUNT, EPHEMERAL - plus - FIRST) : COUNT;
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = FIRST + Math.floor(Math.random() * count);
    if (given.has(port) || (plus && given.has(port + plus))) continue;
    given.add(port);
    if (plus) given.add(port + plus);
    if ((await canListen(port)) && (!plus || (await canListen(port + plus)))) return port;
  }
  throw new Error(`no free port found between ${FIRST} and ${FIRST + count}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
