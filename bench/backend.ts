// `npm run bench:backend`: the image service over HTTP on loopback, on the embedded default and on Redis + S3,
// each a real server process started here. Prints one table: medians and p99 of sequential calls, and requests
// per second with 16 connections, measured by wrk.
import type { PictureMeta } from '../contract/picture.ts';
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
  /** `url` is measured under load by wrk; a call with `before` (untimed) is measured one at a time only. */
  const add = async (operation: string, url: string, before?: () => Promise<unknown>) => {
    const call = () => get(url);
    await throughput(1_000, 4, async () => (before && (await before()), call()), 200); // warm up the JIT on both sides
    const lat = await latency(before ? SAMPLES / 4 : SAMPLES, call, 200, before);
    const perSecond = before ? 1000 / lat.medianMs : await wrkRate(url, 16, SECONDS);
    rows.push({ setup, operation, ...lat, perSecond });
  };
  await add('cached lookup', `${base}/api/pictures/user7`);
  await add('uncached lookup (cache dropped each time, one at a time)', `${base}/api/pictures/user7`, () => dropCache('user7'));
  await add('batch of 50, cached', `${base}/api/pictures?users=${users.join(',')}`);
  await add('image fetch /images/…', `${base}/images/user7/${metas[7]!.version}`);
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
  console.log(`${setup}: cached lookup is ${(uncached.medianMs / cached.medianMs).toFixed(1)}× faster than uncached (medians)`);
}
process.exit(0);
