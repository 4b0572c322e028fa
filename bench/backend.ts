// `npm run bench:backend`: the image service over HTTP on loopback, on the embedded default and on Redis + S3,
// each a real server process started here. Prints two tables. Lookups: medians and p99 of sequential calls, and
// requests per second with 16 connections, measured by wrk (for uncached lookups, with a script that drops each
// first). Uploads: what a 12-megapixel phone JPEG (bench/photos.ts, ~3.4 MB) costs on Node and on Deno, on the
// embedded default: BENCH_UPLOADS uploads (10 unless set) of different photos, one at a time after one not counted,
// each timed from sending it to the 201, and the CPU time (user + system, all threads) the service process spent
// meanwhile, read from /proc/<pid>/stat before and after; with the service's peak RSS after them.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { PictureMeta } from '../contract/picture.ts';
import { startEmbedded, startWithRedisS3 } from '../backend/testing/stack.ts';
import { solidPng } from '../backend/testing/images.ts';
import { TEST_ADMIN_TOKEN } from '../backend/testing/tokens.ts';
import { ensureTools } from '../scripts/ensure-tools.mjs';
import { sleep } from '../scripts/testing/wait.ts';
import { get, latency, throughput, wrkRate } from './http-load.ts';
import { peakRssMiB } from './load-rss.ts';
import { phonePhotos } from './photos.ts';
import { admin } from '../backend/testing/tokens.ts';
import { upload } from '../backend/testing/upload.ts';
import { cacheStats } from './service.ts';
import { median, percentile } from './stats.ts';

ensureTools([
  { command: 'wrk', apt: 'wrk' },
  { command: 'redis-server', apt: 'redis-server' },
]);

const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 2_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const UPLOADS = Number(process.env.BENCH_UPLOADS ?? 10);
/** The target for one upload of a 12 MP JPEG, sent to the 201. */
const UPLOAD_TARGET_MS = 500;

interface Row {
  setup: string;
  operation: string;
  medianMs: number;
  p99Ms: number;
  perSecond: number;
}

/**
 * Uncached lookups per second under load: wrk looks up `user0` to `user{users-1}` in turn, each user's cache entry
 * dropped shortly before (bench/uncached.lua), and the service's own counters show that they all missed. Half of
 * those requests are the drops, so a run of drops alone measures what they cost, and that time is taken out.
 */
async function uncachedRate(
  base: string,
  users: number,
  dropCache: (userId: string) => Promise<unknown>,
): Promise<number> {
  // Redis's counters are added to about once a second: a clock, with no event to await.
  const settle = () => sleep(1_500);
  const script = (...mode: string[]) => ({
    path: new URL('./uncached.lua', import.meta.url).pathname,
    args: [String(users), TEST_ADMIN_TOKEN, ...mode],
  });
  // The script drops each entry half a round ahead, so the first half round's need dropping here.
  for (let i = 0; i < users; i++) await dropCache(`user${i}`);
  await settle();
  const before = await cacheStats(base);
  const pairsPerSecond = (await wrkRate(base, 16, SECONDS, script())) / 2;
  await settle();
  const after = await cacheStats(base);
  const misses = after.misses - before.misses;
  const lookups = misses + after.hits - before.hits;
  if (misses < 0.99 * lookups || lookups < 0.9 * pairsPerSecond * SECONDS) {
    throw new Error(
      `bench/uncached.lua: ${misses} misses counted of ${lookups} lookups, about ${Math.round(pairsPerSecond * SECONDS)} sent`,
    );
  }
  const dropsPerSecond = await wrkRate(base, 16, SECONDS, script('drops'));
  return 1 / (1 / pairsPerSecond - 1 / dropsPerSecond);
}

async function measure(setup: string, target: { base: string; stop(): Promise<void> }): Promise<Row[]> {
  const { base } = target;
  const users = Array.from({ length: 50 }, (_, i) => `user${i}`);
  const metas: PictureMeta[] = [];
  for (const [i, userId] of users.entries()) metas.push(await upload(base, userId, solidPng([i, 100, 200], 96)));
  const dropCache = (userId: string) => fetch(`${base}/api/cache/${userId}`, { method: 'DELETE', headers: admin });
  const rows: Row[] = [];
  /** `url` is timed one call at a time (after `before`, untimed, when given), then under load by `underLoad`. */
  const add = async (
    operation: string,
    url: string,
    underLoad: () => Promise<number>,
    before?: () => Promise<unknown>,
  ) => {
    const call = () => get(url);
    const warmCall = async () => {
      if (before) await before();
      return call();
    };
    await throughput(1_000, 4, warmCall, 200); // warm up the JIT on both sides
    const lat = await latency(before ? SAMPLES / 4 : SAMPLES, call, 200, before);
    rows.push({ setup, operation, ...lat, perSecond: await underLoad() });
  };
  const wrk = (url: string) => () => wrkRate(url, 16, SECONDS);
  await add('cached lookup', `${base}/api/pictures/user7`, wrk(`${base}/api/pictures/user7`));
  await add(
    'uncached lookup (cache dropped before each)',
    `${base}/api/pictures/user7`,
    () => uncachedRate(base, users.length, dropCache),
    () => dropCache('user7'),
  );
  const batch = `${base}/api/pictures?users=${users.join(',')}`;
  await add('batch of 50, cached', batch, wrk(batch));
  const image = new URL(metas[7]!.url, base).href;
  await add('image fetch /images/…', image, wrk(image));
  await target.stop();
  return rows;
}

interface UploadRow {
  runtime: string;
  uploads: number;
  medianMs: number;
  p95Ms: number;
  cpuMedianMs: number;
  cpuP95Ms: number;
  peakRssMiB: number;
}

/** Clock ticks a second, the unit of /proc/<pid>/stat's CPU times. */
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** User + system CPU time, in ms, that process `pid` (all its threads) has used so far. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name, which is in parentheses and may hold spaces: utime and stime are fields 14, 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}

/** Uploads 12 MP photos to a fresh service on `runtime`, one at a time: the time to each 201 and the CPU it took. */
async function uploadCost(runtime: 'node' | 'deno', photos: Uint8Array<ArrayBuffer>[]): Promise<UploadRow> {
  // The test settings' small upload limit would refuse a photo: the service's default is what a site runs with.
  const target = await startEmbedded(runtime, { MAX_UPLOAD_BYTES: String(32 * 1024 * 1024) });
  const { base, service } = target;
  const times: number[] = [];
  const cpu: number[] = [];
  try {
    for (const [i, photo] of photos.entries()) {
      const cpuBefore = cpuMs(service.pid);
      const start = performance.now();
      const res = await fetch(`${base}/api/pictures/photo${i}`, {
        method: 'PUT',
        body: photo,
        headers: { ...admin, 'Content-Type': 'image/jpeg' },
      });
      const body = await res.text();
      const ms = performance.now() - start;
      if (res.status !== 201) throw new Error(`upload of a 12 MP photo on ${runtime} answered ${res.status}: ${body}`);
      // The first warms up the service (its first decode loads libvips); it is not counted.
      if (i === 0) continue;
      times.push(ms);
      cpu.push(cpuMs(service.pid) - cpuBefore);
    }
    return {
      runtime: runtime === 'node' ? 'Node' : 'Deno',
      uploads: times.length,
      medianMs: median(times),
      p95Ms: percentile(times, 95),
      cpuMedianMs: median(cpu),
      cpuP95Ms: percentile(cpu, 95),
      peakRssMiB: peakRssMiB(service.pid),
    };
  } finally {
    await target.stop();
  }
}

const photos = await phonePhotos(UPLOADS + 1);
const uploads = [await uploadCost('node', photos), await uploadCost('deno', photos)];
const rows = [
  ...(await measure('memory + files', await startEmbedded('node'))),
  ...(await measure('Redis + S3', await startWithRedisS3('node'))),
];
const fmt = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));
console.log('| setup | operation | median ms | p99 ms | per second |\n|---|---|---|---|---|');
for (const r of rows)
  console.log(`| ${r.setup} | ${r.operation} | ${fmt(r.medianMs)} | ${fmt(r.p99Ms)} | ${Math.round(r.perSecond)} |`);
for (const setup of ['memory + files', 'Redis + S3']) {
  const cached = rows.find((r) => r.setup === setup && r.operation === 'cached lookup')!;
  const uncached = rows.find((r) => r.setup === setup && r.operation.startsWith('uncached'))!;
  const times = (n: number) => `${n.toFixed(1)}×`;
  console.log(
    `${setup}: cached lookup is ${times(uncached.medianMs / cached.medianMs)} faster than uncached (medians), ${times(cached.perSecond / uncached.perSecond)} (per second)`,
  );
}
const photoMB = median(photos.map((p) => p.length)) / 1e6;
console.log(
  `\nUpload of a 12 MP phone JPEG (4032×3024, median ${photoMB.toFixed(1)} MB) on memory + files, one at a time, after one not counted:\n`,
);
console.log(
  '| runtime | uploads | time to 201, median | p95 | service CPU per upload, median | p95 | service peak RSS |\n|---|---|---|---|---|---|---|',
);
for (const u of uploads) {
  console.log(
    `| ${u.runtime} | ${u.uploads} | ${fmt(u.medianMs)} ms | ${fmt(u.p95Ms)} ms | ${fmt(u.cpuMedianMs)} ms | ${fmt(u.cpuP95Ms)} ms | ${fmt(u.peakRssMiB)} MiB |`,
  );
}
for (const u of uploads) {
  console.log(
    `${u.runtime}: a 12 MP upload answers 201 in ${fmt(u.medianMs)} ms (median), ${fmt(u.p95Ms)} ms (p95); target ≤ ${UPLOAD_TARGET_MS} ms: ${u.p95Ms <= UPLOAD_TARGET_MS ? 'met' : u.medianMs <= UPLOAD_TARGET_MS ? 'met by the median, not by the p95' : 'missed'}`,
  );
}
process.exit(0);
