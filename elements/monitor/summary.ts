import type { ByteOrigin, MetaLayer } from '../store/types.ts';
import type { Advice } from './advice.ts';
import type { CacheMetrics, LayerFigures } from './figures.ts';
import { bytes, clock, duration, millis, percent } from './format.ts';

/** What each layer is called where people read it. */
export const LAYER_LABELS: Record<MetaLayer, string> = { memory: 'Memory', localStorage: 'LocalStorage', indexedDB: 'IndexedDB', network: 'Network' };
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
