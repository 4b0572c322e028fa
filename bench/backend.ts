// `npm run bench:backend`: the image service over HTTP on loopback, on the embedded default and on Redis + S3,
// each a real server process started here. Prints one table: medians and p99 of sequential calls, and requests
// per second with 16 connections, measured by wrk (for uncached lookups, with a script that drops each first).
import type { CacheStats, PictureMeta } from '../contract/picture.ts';
import { startEmbedded, startWithRedisS3 } from '../backend/testing/stack.ts';
import { solidPng } from '../backend/testing/images.ts';
import { TEST_ADMIN_TOKEN } from '../backend/testing/tokens.ts';
import { ensureTools } from '../scripts/ensure-tools.mjs';
import { get, latency, throughput, wrkRate } from './http-load.ts';

ensureTools([{ command: 'wrk', apt: 'wrk' }, { command: 'redis-server', apt: 'redis-server' }]);

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const admin = { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

interface Row { setup: string; operation: string; medianMs: number; p99Ms: number; perSecond: number }

/**
 * Uncached lookups per second under load: wrk looks up `user0` to `user{users-1}` in turn, each user's cache entry
 * dropped shortly before (bench/uncached.lua), and the service's own counters show that they all missed. Half of
 * those requests are the drops, so a run of drops alone measures what they cost, and that time is taken out.
 */
async function uncachedRate(base: string, users: number, dropCache: (userId: string) => Promise<unknown>): Promise<number> {
  const stats = async () => (await (await fetch(`${base}/api/cache/stats`)).json()) as CacheStats;
  const settle = () => new Promise((r) => setTimeout(r, 1_500)); // Redis's counters are added to about once a second
  const script = (...mode: string[]) => ({ path: new URL('./uncached.lua', import.meta.url).pathname, args: [String(users), TEST_ADMIN_TOKEN, ...mode] });
  // The script drops each entry half a round ahead, so the first half round's need dropping here.
  for (let i = 0; i < users; i++) await dropCache(`user${i}`);
  await settle();
  const before = await stats();
  const pairsPerSecond = (await wrkRate(base, 16, SECONDS, script())) / 2;
  await settle();
  const after = await stats();
  const misses = after.misses - before.misses;
  const lookups = misses + after.hits - before.hits;
  if (misses < 0.99 * lookups || lookups < 0.9 * pairsPerSecond * SECONDS) {
    throw new Error(`bench/uncached.lua: ${misses} misses counted of ${lookups} lookups, about ${Math.round(pairsPerSecond * SECONDS)} sent`);
  }
  const dropsPerSecond = await wrkRate(base, 16, SECONDS, script('drops'));
  return 1 / (1 / pairsPerSecond - 1 / dropsPerSecond);
}

async function measure(setup: string, target: { base: string; stop(): Promise<void> }): Promise<Row[]> {
  const { base } = target;
  const users = Array.from({ length: 50 }, (_, i) => `user${i}`);
  const metas: PictureMeta[] = [];
  for (const [i, userId] of users.entries()) {
    const res = await fetch(`${base}/api/pictures/${userId}`, { method: 'PUT', body: solidPng([i, 100, 200], 96), headers: admin });
    if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
    metas.push((await res.json()) as PictureMeta);
  }
  const dropCache = (userId: string) => fetch(`${base}/api/cache/${userId}`, { method: 'DELETE', headers: admin });
  const rows: Row[] = [];
  /** `url` is timed one call at a time (after `before`, untimed, when given), then under load by `underLoad`. */
  const add = async (operation: string, url: string, underLoad: () => Promise<number>, before?: () => Promise<unknown>) => {
    const call = () => get(url);
    await throughput(1_000, 4, async () => (before && (await before()), call()), 200); // warm up the JIT on both sides
    const lat = await latency(before ? SAMPLES / 4 : SAMPLES, call, 200, before);
    rows.push({ setup, operation, ...lat, perSecond: await underLoad() });
  };
  const wrk = (url: string) => () => wrkRate(url, 16, SECONDS);
  await add('cached lookup', `${base}/api/pictures/user7`, wrk(`${base}/api/pictures/user7`));
  await add('uncached lookup (cache dropped before each)', `${base}/api/pictures/user7`, () => uncachedRate(base, users.length, dropCache), () => dropCache('user7'));
  const batch = `${base}/api/pictures?users=${users.join(',')}`;
  await add('batch of 50, cached', batch, wrk(batch));
  const image = `${base}/images/user7/${metas[7]!.version}`;
  await add('image fetch /images/…', image, wrk(image));
  await target.stop();
  return rows;
}

const rows = [...(await measure('memory + files', await startEmbedded('node'))), ...(await measure('Redis + S3', await startWithRedisS3('node')))];
const fmt = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));
console.log('| setup | operation | median ms | p99 ms | per second |\n|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.setup} | ${r.operation} | ${fmt(r.medianMs)} | ${fmt(r.p99Ms)} | ${Math.round(r.perSecond)} |`);
for (const setup of ['memory + files', 'Redis + S3']) {
  const cached = rows.find((r) => r.setup === setup && r.operation === 'cached lookup')!;
  const uncached = rows.find((r) => r.setup === setup && r.operation.startsWith('uncached'))!;
  const times = (n: number) => `${n.toFixed(1)}×`;
  console.log(`${setup}: cached lookup is ${times(uncached.medianMs / cached.medianMs)} faster than uncached (medians), ${times(cached.perSecond / uncached.perSecond)} (per second)`);
}
process.exit(0);
