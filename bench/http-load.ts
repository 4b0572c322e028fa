import { Agent, request } from 'node:http';

/** Kept-alive connections, as a browser or a proxy in front of the service would use. */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** One GET; resolves with the status once the body has been read. */
export function get(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface Latency {
  medianMs: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

/**
 * Times `count` calls one after another (after `before`, untimed, for each) and checks each answer's status.
 */
export async function latency(count: number, call: () => Promise<number>, expect: number, before?: () => Promise<unknown>): Promise<Latency> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    if (before) await before();
    const start = performance.now();
    const status = await call();
    samples.push(performance.now() - start);
    if (status !== expect) throw new Error(`expected ${expect}, got ${status}`);
  }
  samples.sort((a, b) => a - b);
  return { medianMs: percentile(samples, 50), p99Ms: percentile(samples, 99) };
}

/** Calls per second with `concurrency` calls in flight for `ms` milliseconds. */
export async function throughput(ms: number, concurrency: number, call: () => Promise<number>, expect: number): Promise<number> {
  let done = 0;
  const end = performance.now() + ms;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const status = await call();
        if (status !== expect) throw new Error(`expected ${expect}, got ${status}`);
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}
