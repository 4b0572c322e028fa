/**
 * The monitor's reading half, a module of its own that the drop-in bundle loads only when asked: by
 * `cacheMonitor.getMetrics()`, `export()`, `restore()`, `logSummary()`, or by a `<cache-dashboard>`. Counting
 * stays in the bundle.
 */
import { advise } from './advice.ts';
import type { CachePerformanceMonitor } from './monitor.ts';
import { summaryText } from './summary.ts';
import { surroundings } from './surroundings.ts';

export { advise, rules, type Advice } from './advice.ts';
export { bytes, clock, duration, millis, percent } from './format.ts';
export { LAYER_LABELS, SOURCE_LABELS, summaryText } from './summary.ts';
export { backendStats, surroundings, workerStats, type Surroundings } from './surroundings.ts';
export { exportText, readExport, type MonitorExport } from './export-format.ts';
export { figuresOf } from './figures.ts';

/** Prints the performance report of `monitor`'s figures, with advice from the page's surroundings, and answers it. */
export async function logSummary(monitor: CachePerformanceMonitor): Promise<string> {
  const metrics = await monitor.getMetrics();
  const text = summaryText(metrics, advise(metrics, await surroundings(monitor.stores)));
  console.log(text);
  return text;
}
