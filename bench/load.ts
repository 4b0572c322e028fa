// `npm run bench:load`: the service under load on loopback, started from backend/node.ts on Redis + S3 (a private
// redis-server and S3 server), driven by autocannon: 20,000 lookups at 100 connections, mixed (cached, uncached and
// batch) and each kind alone, and 20,000 requests for the users' copies, with latency percentiles, throughput,
// errors and the service's peak RSS; then 100,000
// distinct users looked up on Redis + S3 and on the embedded default, by a service whose heap is capped at
// HEAP_MB: one that kept anything per user would run out of memory; its RSS is noted as they go.
import { startService, type RunningService } from '../backend/testing/service.ts';
import { startBackingServers, startEmbedded } from '../backend/testing/stack.ts';
import { noisyPng } from '../backend/testing/images.ts';
import { ensureTools } from '../scripts/ensure-tools.mjs';
import { load, type LoadResult } from './load-autocannon.ts';
import { peakRssMiB, rssMiB, sampleRss } from './load-rss.ts';
import { upload } from '../backend/testing/upload.ts';
import { cacheStats } from './service.ts';

ensureTools([{ command: 'redis-server', apt: 'redis-server' }]);

const AMOUNT = Number(process.env.LOAD_REQUESTS ?? 20_000);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 100);
const DISTINCT = Number(process.env.LOAD_DISTINCT_IDS ?? 100_000);
const USERS = 500;
const HEAP_MB = 64;
/**
 * The distinct users go 100 to a batch lookup (the most one may ask), 10 at a time: 1,000 storage reads asked for
 * at once, of which the service makes `MAX_STORAGE_READS` (64) at a time.
 */
const DISTINCT_BATCH = 100;
const DISTINCT_CONNECTIONS = 10;

/** Gives each user a picture; answers the users and the paths of their copies. */
async function seed(base: string): Promise<{ users: string[]; copies: string[] }> {
  const users = Array.from({ length: USERS }, (_, i) => `user${i}`);
  const copies: string[] = [];
  for (const [i, userId] of users.entries()) {
    const meta = await upload(base, userId, noisyPng(i + 1));
    for (const variant of meta.variants) copies.push(new URL(variant.url, base).pathname);
  }
  return { users, copies };
}

let fresh = 0;
const random = (n: number) => Math.floor(Math.random() * n);
/**
 * The request kinds: a cached user, a user never asked before (a storage read), a batch of 50 cached users, and one
 * of the users' copies (a storage read the first time, then the instance's memory).
 */
function paths({ users, copies }: { users: string[]; copies: string[] }) {
  const cached = () => `/api/pictures/${users[random(users.length)]}`;
  const uncached = () => `/api/pictures/never-seen-${process.pid}-${fresh++}`;
  const batch = () => {
    const from = random(users.length - 50);
    return `/api/pictures?users=${users.slice(from, from + 50).join(',')}`;
  };
  // 60% cached, 20% uncached, 20% batches: a page of friends' pictures now and then, new visitors now and then.
  const mixed = () => {
    const r = Math.random();
    return r < 0.6 ? cached() : r < 0.8 ? uncached() : batch();
  };
  const copy = () => copies[random(copies.length)]!;
  return { mixed, cached, uncached, batch, copy };
}

interface Row extends LoadResult {
  run: string;
  peakRssMiB: number;
}

async function measure(service: RunningService, run: string, nextPath: () => string): Promise<Row> {
  const { result, peakMiB } = await sampleRss(service.pid, () =>
    load(service.base, { amount: AMOUNT, connections: CONNECTIONS, nextPath }),
  );
  return { run, ...result, peakRssMiB: peakMiB };
}

/** Looks up `DISTINCT` users never seen before, in batches, and notes the service's RSS every tenth of the way. */
async function distinctUsers(setup: string, service: RunningService) {
  const rows: { setup: string; ids: number; rssMiB: number; keys: number; errors: number }[] = [];
  const stats = async () => (await cacheStats(service.base)).keys;
  rows.push({ setup, ids: 0, rssMiB: rssMiB(service.pid), keys: await stats(), errors: 0 });
  let next = 0;
  const batch = () =>
    `/api/pictures?users=${Array.from({ length: DISTINCT_BATCH }, () => `distinct${next++}`).join(',')}`;
  const step = DISTINCT / 10;
  for (let done = 0; done < DISTINCT; done += step) {
    const result = await load(service.base, {
      amount: step / DISTINCT_BATCH,
      connections: DISTINCT_CONNECTIONS,
      nextPath: batch,
    });
    rows.push({ setup, ids: done + step, rssMiB: rssMiB(service.pid), keys: await stats(), errors: result.errors });
  }
  return rows;
}

const cappedHeap = { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` };

const backing = await startBackingServers();
const service = await startService('node', backing.env);
const kinds = paths(await seed(service.base));
await load(service.base, { amount: 2_000, connections: CONNECTIONS, nextPath: kinds.mixed }); // warm both sides up
const rows: Row[] = [];
rows.push(await measure(service, 'mixed: 60% cached, 20% uncached, 20% batch of 50', kinds.mixed));
rows.push(await measure(service, 'cached lookup', kinds.cached));
rows.push(await measure(service, 'uncached lookup (a user never seen: a storage read)', kinds.uncached));
rows.push(await measure(service, 'batch of 50 cached users', kinds.batch));
rows.push(await measure(service, 'a copy of one of the 500 pictures (/images/)', kinds.copy));
const redisPeak = peakRssMiB(service.pid);
await service.stop();
const capped = await startService('node', { ...backing.env, ...cappedHeap });
const distinctRedis = await distinctUsers('Redis + S3', capped);
await capped.stop();
await backing.stop();

const embedded = await startEmbedded('node', cappedHeap);
const distinctMemory = await distinctUsers('memory + files (LRU of 10,000)', embedded.service);
await embedded.stop();

const fmt = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(0));
console.log(
  `\n${AMOUNT.toLocaleString('en')} requests per run, ${CONNECTIONS} connections, Redis + S3, one Node instance:\n`,
);
console.log('| run | p50 ms | p99 ms | requests/s | errors | answers | peak RSS MiB |\n|---|---|---|---|---|---|---|');
for (const r of rows) {
  const answers = Object.entries(r.statuses)
    .map(([code, n]) => `${n} × ${code}`)
    .join(', ');
  console.log(
    `| ${r.run} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${Math.round(r.perSecond)} | ${r.errors} | ${answers} | ${r.peakRssMiB.toFixed(0)} |`,
  );
}
console.log(`\nPeak RSS of the service over these runs: ${redisPeak.toFixed(0)} MiB`);
console.log(
  `\n${DISTINCT.toLocaleString('en')} distinct users, ${DISTINCT_BATCH} per batch lookup, ${DISTINCT_CONNECTIONS} connections, the service's heap capped at ${HEAP_MB} MB: its RSS as they go\n`,
);
console.log('| setup | users looked up | RSS MiB | cached users | errors |\n|---|---|---|---|---|');
for (const r of [...distinctRedis, ...distinctMemory]) {
  console.log(
    `| ${r.setup} | ${r.ids.toLocaleString('en')} | ${r.rssMiB.toFixed(0)} | ${r.keys.toLocaleString('en')} | ${r.errors} |`,
  );
}
process.exit([...rows, ...distinctRedis, ...distinctMemory].some((r) => r.errors) ? 1 : 0);
