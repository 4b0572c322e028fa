// `npm run bench:monitor`: what the page's cache monitor costs, in Chromium, on the drop-in bundle: recording one
// resolution (what the store does for every picture), and keeping the figures in sessionStorage (what the page does
// when it is hidden or goes away), with the state 100,000 records leave. Medians of BENCH_RUNS runs.
import { chromium } from 'playwright-core';
import { startEmbedded } from '../backend/testing/stack.ts';
import { MONITOR_KEY } from '../elements/monitor/monitor.ts';
import { startCountingProxy } from '../elements/testing/counting-proxy.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.mjs';
import { median } from './stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const RECORDS = 100_000;

const page = `<!doctype html><meta charset="utf-8"><script type="module" src="/cached-profile-picture.js"></script>
<script type="module">
window.measure = async () => {
  await customElements.whenDefined('cached-profile-picture');
  const monitor = window.cacheMonitor;
  monitor.clear();
  const layers = ['memory', 'localStorage', 'indexedDB', 'network'];
  const sources = ['memoryCache', 'httpCache', 'network'];
  const reports = Array.from({ length: ${RECORDS} }, (_, i) => i % 2
    ? { userId: 'u' + (i % 500), layer: layers[i % 4], ms: i % 7 }
    : { userId: 'u' + (i % 500), layer: layers[i % 4], source: sources[i % 3], ms: i % 13, bytesSaved: 27000 });
  const start = performance.now();
  for (const report of reports) monitor.record(report);
  const recordUs = ((performance.now() - start) / ${RECORDS}) * 1000;
  const saveStart = performance.now();
  monitor.save();
  const saveMs = performance.now() - saveStart;
  return { recordUs, saveMs, savedBytes: (sessionStorage.getItem(${JSON.stringify(MONITOR_KEY)}) ?? '').length };
};
</script>`;

const service = await startEmbedded('node');
const proxy = await startCountingProxy(service.base, { '/monitor.html': page });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
const samples: { recordUs: number; saveMs: number; savedBytes: number }[] = [];
for (let run = 0; run < RUNS; run++) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.goto(`${proxy.base}/monitor.html`);
  samples.push(
    await tab.evaluate(() => (window as unknown as { measure(): Promise<(typeof samples)[number]> }).measure()),
  );
  await context.close();
}
await browser.close();
await proxy.close();
await service.stop();

console.log(
  `The page's cache monitor in Chromium, medians of ${RUNS} runs of ${RECORDS.toLocaleString('en')} records:\n`,
);
console.log('| recording one resolution | keeping the figures in sessionStorage | what is kept |\n|---|---|---|');
console.log(
  `| ${median(samples.map((s) => s.recordUs)).toFixed(2)} µs | ${median(samples.map((s) => s.saveMs)).toFixed(2)} ms | ${(median(samples.map((s) => s.savedBytes)) / 1024).toFixed(1)} KB |`,
);
