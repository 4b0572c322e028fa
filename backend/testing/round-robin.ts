import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A load balancer for tests: each request goes to the next instance in turn. */
export interface RoundRobin {
  base: string;
  /** How many requests each instance was sent, in the order the instances were given. */
  sent(): number[];
  stop(): Promise<void>;
}

/**
 * Starts a round-robin HTTP proxy on 127.0.0.1 in front of `bases`, as any load balancer in front of stateless
 * instances: requests and answers are streamed both ways (uploads, event streams), headers pass unchanged (so
 * answers name the balancer's host), and a client that goes away closes its upstream request.
 *
 * @example
 * const balancer = await startRoundRobin([a.base, b.base]);
 * await fetch(`${balancer.base}/api/pictures/ada`); // instance a; the next request goes to b
 */
export async function startRoundRobin(bases: string[]): Promise<RoundRobin> {
  const targets = bases.map((base) => new URL(base));
  const counts = targets.map(() => 0);
  const agent = new Agent({ keepAlive: true });
  let turn = 0;
  const server = createServer((req, res) => {
    const index = turn++ % targets.length;
    counts[index]!++;
    const target = targets[index]!;
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    // An instance that closes the connection mid-request (a refused upload) ends the client's too, as a balancer does.
    upstream.on('error', () => res.destroy());
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    sent: () => [...counts],
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}
