// `npm run bench:backend`: the image service over HTTP on loopback, on the embedded default and on Redis + S3,
// each a real server process started here. Prints two tables. Lookups: medians and p99 of sequential calls, and
// requests per second with 16 connections, measured by wrk (for uncached lookups, with a script that drops each
// first). Uploads: what a 12-megapixel phone JPEG (bench/photos.ts, ~3.4 MB) costs on Node and on Deno, on the
// embedded default: BENCH_UPLOADS uploads (10 unless set) of different photos, one at a time after one not counted,
// each timed from sending it to the 201, and the CPU time (user + system, all threads) the service process spent
// meanwhile, read from /proc/<pid>/stat before and after; with the service's peak RSS after them. Floor: the cached
// lookups against the smallest Hono app answering the same bytes and headers (bench/floor-app.ts), in turns.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { PictureMeta } from '../contract/picture.ts';
import { startEmbedded, startWithRedisS3 } from '../backend/testing/stack.ts';
import { solidPng } from '../backend/testing/images.ts';
import { TEST_ADMIN_TOKEN } from '../backend/testing/tokens.ts';
import { ensureTools } from '../scripts/ensure-tools.mjs';
import { sleep } from '../scripts/testing/wait.ts';
import type { FloorAnswer } from './floor-app.ts';
import { get, latency, throughput, wrk, wrkRate, type WrkResult } from './http-load.ts';
import { peakRssMiB } from './load-rss.ts';
import { phonePhotos } from './photos.ts';
import { startServer } from '../backend/testing/service.ts';
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
/** Turns of ours and the floor, one after the other, per operation. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** The target for a cached lookup: this share of the floor's requests per second. */
const FLOOR_TARGET = 0.6;
/** The target for one upload of a 12 MP JPEG, sent to the 201. */
const UPLOAD_TARGET_MS = 500;

interface Row {
  setup: string;
  operation: string;
  medianMs: number;
  p99Ms: number;
  perSecond: number;
}

interface FloorRow {
  setup: string;
  operation: string;
  /** Medians of the rounds. */
  ours: WrkResult;
  floor: WrkResult;
  /** Ours / floor requests per second, per round. */
  ratios: number[];
}

/** What Node's server adds to every answer by itself: the floor's server adds them too. */
const SERVER_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/** The service's answer to GET `url`, for the floor to repeat. */
async function capture(url: string): Promise<FloorAnswer> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`);
  const headers = Object.fromEntries([...res.headers].filter(([name]) => !SERVER_HEADERS.has(name)));
  return { path: new URL(url).pathname, headers, body: await res.text() };
}

/** The median of each figure over a contender's rounds. */
function medianRun(runs: WrkResult[]): WrkResult {
  return {
    perSecond: median(runs.map((r) => r.perSecond)),
    p50Ms: median(runs.map((r) => r.p50Ms)),
    p99Ms: median(runs.map((r) => r.p99Ms)),
  };
}

/**
 * Each of `urls` (warm) under wrk, against the floor (bench/floor-app.ts, a process of its own) answering it with
 * the bytes and headers the service sent: ours, then the floor, for ROUNDS rounds, so both meet the same load from
 * the rest of the machine.
 */
async function againstFloor(setup: string, urls: { operation: string; url: string }[]): Promise<FloorRow[]> {
  const answers = await Promise.all(urls.map(({ url }) => capture(url)));
  const floorApp = new URL('./floor-app.ts', import.meta.url).pathname;
  const floor = await startServer(
    [process.execPath, '--import', 'tsx', floorApp],
    { FLOOR_ANSWERS: JSON.stringify(answers) },
    'the floor app',
  );
  try {
    const rows: FloorRow[] = [];
    for (const { operation, url } of urls) {
      const { pathname, search } = new URL(url);
      const floorUrl = floor.base + pathname + search;
      await throughput(1_000, 4, () => get(floorUrl), 200); // warm up the JIT, as ours is
      const ours: WrkResult[] = [];
      const floors: WrkResult[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        ours.push(await wrk(url, 16, SECONDS));
        floors.push(await wrk(floorUrl, 16, SECONDS));
      }
      rows.push({
        setup,
        operation,
        ours: medianRun(ours),
        floor: medianRun(floors),
        ratios: ours.map((run, i) => run.perSecond / floors[i]!.perSecond),
      });
    }
    return rows;
  } finally {
    await floor.stop();
  }
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

async function measure(
  setup: string,
  target: { base: string; stop(): Promise<void> },
): Promise<{ rows: Row[]; floorRows: FloorRow[] }> {
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
  const rate = (url: string) => () => wrkRate(url, 16, SECONDS);
  await add('cached lookup', `${base}/api/pictures/user7`, rate(`${base}/api/pictures/user7`));
  await add(
    'uncached lookup (cache dropped before each)',
    `${base}/api/pictures/user7`,
    () => uncachedRate(base, users.length, dropCache),
    () => dropCache('user7'),
  );
  const batch = `${base}/api/pictures?users=${users.join(',')}`;
  await add('batch of 50, cached', batch, rate(batch));
  const image = new URL(metas[7]!.url, base).href;
  await add('image fetch /images/…', image, rate(image));
  const floorRows = await againstFloor(setup, [
    { operation: 'cached lookup', url: `${base}/api/pictures/user7` },
    { operation: 'batch of 50, cached', url: batch },
  ]);
  await target.stop();
  return { rows, floorRows };
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
const measured = [
  await measure('memory + files', await startEmbedded('node')),
  await measure('Redis + S3', await startWithRedisS3('node')),
];
const rows = measured.flatMap((m) => m.rows);
const floorRows = measured.flatMap((m) => m.floorRows);
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
const ms = (n: number) => n.toFixed(2);
console.log(
  '\nAgainst the floor (bench/floor-app.ts: the smallest Hono app sending the same bytes and headers), wrk with ' +
    `16 connections, ${SECONDS} s a turn, medians of ${ROUNDS} rounds taken in turns:\n`,
);
const floorColumns = ['setup', 'operation', 'ours per second', 'floor per second', 'ours / floor (each round)'];
floorColumns.push('p50 ms ours, floor', 'p99 ms ours, floor');
console.log(`| ${floorColumns.join(' | ')} |\n|${'---|'.repeat(floorColumns.length)}`);
const ratioOf = (f: FloorRow) => f.ours.perSecond / f.floor.perSecond;
for (const f of floorRows) {
  const each = f.ratios.map((r) => r.toFixed(2)).join(', ');
  const cells = [f.setup, f.operation, Math.round(f.ours.perSecond), Math.round(f.floor.perSecond)];
  cells.push(`${ratioOf(f).toFixed(2)}× (${each})`, `${ms(f.ours.p50Ms)}, ${ms(f.floor.p50Ms)}`);
  cells.push(`${ms(f.ours.p99Ms)}, ${ms(f.floor.p99Ms)}`);
  console.log(`| ${cells.join(' | ')} |`);
}
for (const f of floorRows.filter((r) => r.operation === 'cached lookup')) {
  const met = ratioOf(f) >= FLOOR_TARGET ? 'met' : 'missed';
  console.log(
    `${f.setup}: a cached lookup answers ${ratioOf(f).toFixed(2)}× the floor's requests per second; ` +
      `target ≥ ${FLOOR_TARGET}×: ${met}`,
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
