/**
 * The monitor's reading half, a module of its own that the drop-in bundle loads only when asked: by
 * `cacheMonitor.getMetrics()`, `export()`, `restore()`, `logSummary()`, or by a `<cache-dashboard>`. Counting
 * stays in the bundle. This module writes the performance report and is the half's one entry: the monitor and the
 * dashboard's module import what they use from here, which the build turns into a fetch of this module's file
 * rather than a copy of its parts.
 */
import type { ByteOrigin, MetaLayer } from '../store/types.ts';
import { advise, type Advice } from './advice.ts';
import type { CacheMetrics, LayerFigures } from './figures.ts';
import { bytes, clock, duration, millis, percent } from './format.ts';
import { surroundings, type WatchedStore } from './surroundings.ts';

export { advise, rules, type Advice } from './advice.ts';
export { bytes, clock, duration, millis, percent } from './format.ts';
export { backendStats, surroundings, workerStats, type Surroundings } from './surroundings.ts';
export { exportText, figuresOf, readExport, type MonitorExport } from './figures.ts';

/** What each layer is called where people read it. */
export const LAYER_LABELS: Record<MetaLayer, string> = {
  memory: 'Memory',
  localStorage: 'LocalStorage',
  indexedDB: 'IndexedDB',
  network: 'Network',
};
/** What each byte source is called where people read it. */
export const SOURCE_LABELS: Record<ByteOrigin, string> = {
  memoryCache: 'Page memory',
  httpCache: 'HTTP cache',
  serviceWorker: 'Service Worker',
  indexedDB: 'IndexedDB Blob',
  network: 'Network',
  unknown: 'Not told',
};

/** The original guide's performance report, with the real figures and advice. */
export function summaryText(metrics: CacheMetrics, advice: readonly Advice[]): string {
  const { period } = metrics;
  const hours = period ? ((period.end - period.start) / 3_600_000).toFixed(2) : '0.00';
  const rows = <K extends string>(labels: Record<K, string>, figures: Record<K, LayerFigures>) =>
    (Object.keys(labels) as K[]).map((name) => {
      const f = figures[name];
      return `      ${labels[name]}: ${f.hits} hits (${percent(f.share)}) - ${millis(f.meanMs ?? 0)} avg, ${millis(f.medianMs)} median, ${millis(f.p95Ms)} p95`;
    });
  return [
    '🎯 Profile Picture Cache Performance Report',
    `   Period: ${period ? `${clock(period.start)} - ${clock(period.end)}` : 'no pictures yet'} (${hours}h)`,
    '',
    '   📊 Metrics:',
    `      Total Requests: ${metrics.requests}`,
    `      Cache Hit Rate: ${percent(metrics.hitRate)}`,
    `      Average Load Time: ${millis(metrics.meanLoadMs)}`,
    `      Bandwidth Saved: ${bytes(metrics.bytesSaved)}`,
    `      Time Saved: ${duration(metrics.timeSavedMs)}`,
    `      Errors: ${metrics.errors}`,
    `      Stale Serves: ${metrics.stale}`,
    '',
    '   📈 Layer Breakdown (which picture):',
    ...rows(LAYER_LABELS, metrics.layers),
    '',
    '   📦 Bytes From:',
    ...rows(SOURCE_LABELS, metrics.sources),
    '',
    '   💡 Recommendations:',
    ...advice.map((a, i) => `      ${i + 1}. ${a.text}`),
  ].join('\n');
}

/**
 * Prints the performance report of `monitor`'s figures, with advice from the page's surroundings, and answers it.
 * `monitor` is a `CachePerformanceMonitor`, typed by the two members read: its module loads this one, and importing
 * it here would close an import circle.
 */
export async function logSummary(monitor: {
  getMetrics(): Promise<CacheMetrics>;
  readonly stores: Iterable<WatchedStore>;
}): Promise<string> {
  const metrics = await monitor.getMetrics();
  const text = summaryText(metrics, advise(metrics, await surroundings(monitor.stores)));
  console.log(text);
  return text;
}
