import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { median, percentile } from './stats.ts';

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

/**
 * Times `count` calls one after another (after `before`, untimed, for each) and checks each answer's status.
 */
export async function latency(
  count: number,
  call: () => Promise<number>,
  expect: number,
  before?: () => Promise<unknown>,
): Promise<Latency> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    if (before) await before();
    const start = performance.now();
    const status = await call();
    samples.push(performance.now() - start);
    if (status !== expect) throw new Error(`expected ${expect}, got ${status}`);
  }
  return { medianMs: median(samples), p99Ms: percentile(samples, 99) };
}

/** What one wrk run measured: requests per second, and the latency's median and 99th percentile. */
export interface WrkResult {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** wrk's latency figures carry their unit: `812.00us`, `1.68ms`, `2.01s`. */
const MS_PER_UNIT: Record<string, number> = { us: 1e-3, ms: 1, s: 1e3 };

/**
 * Requests per second and latency with `connections` kept-alive connections for `seconds`, measured by wrk, a second
 * process in C: a load generator in Node would take more of this machine's two cores than the service it measures.
 * `script`: a wrk Lua script that makes each request, and its arguments.
 */
export function wrk(
  url: string,
  connections: number,
  seconds: number,
  script?: { path: string; args: string[] },
): Promise<WrkResult> {
  // One thread: a script's state (which request comes next) is then one sequence for all connections.
  const args = [
    '-t1',
    `-c${connections}`,
    `-d${seconds}s`,
    '--latency',
    ...(script ? ['-s', script.path] : []),
    url,
    ...(script ? ['--', ...script.args] : []),
  ];
  // Not spawnSync: the S3 server of a benchmark may live in this process and must keep answering.
  const child = spawn('wrk', args);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const latencyMs = (percent: number) => {
    const [, value, unit] = out.match(new RegExp(`^\\s+${percent}%\\s+([\\d.]+)(us|ms|s)$`, 'm')) ?? [];
    return Number(value) * MS_PER_UNIT[unit!]!;
  };
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      const rate = out.match(/Requests\/sec:\s+([\d.]+)/)?.[1];
      if (code !== 0 || !rate) reject(new Error(`wrk failed: ${out}`));
      else if (/Non-2xx|Socket errors/.test(out)) reject(new Error(`wrk saw errors: ${out}`));
      else resolve({ perSecond: Number(rate), p50Ms: latencyMs(50), p99Ms: latencyMs(99) });
    });
  });
}

/** Requests per second, as {@link wrk} measures them. */
export async function wrkRate(...args: Parameters<typeof wrk>): Promise<number> {
  return (await wrk(...args)).perSecond;
}

/** Calls per second with `concurrency` calls in flight for `ms` milliseconds (used to warm up both sides). */
export async function throughput(
  ms: number,
  concurrency: number,
  call: () => Promise<number>,
  expect: number,
): Promise<number> {
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
