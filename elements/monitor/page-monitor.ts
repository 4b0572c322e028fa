import { isServer } from 'lit';
import { availableStorage } from '../store/layers/local-storage.ts';
import { CachePerformanceMonitor } from './monitor.ts';

/** A registered symbol: a second copy of the bundle on the page shares the first one's monitor. */
const PAGE_MONITOR = Symbol.for('cached-profile-pictures.monitor');

declare global {
  interface Window {
    /** The page's cache monitor: `getMetrics()`, `logSummary()`, `export()`, `clear()`, `subscribe()`. */
    readonly cacheMonitor: CachePerformanceMonitor;
  }
}

/**
 * The page's monitor, made on first use and fed by every store on the page: its figures survive a reload within
 * the tab (sessionStorage, written when the page is hidden or goes away).
 */
export function pageMonitor(): CachePerformanceMonitor {
  const page = globalThis as { [PAGE_MONITOR]?: CachePerformanceMonitor };
  let monitor = page[PAGE_MONITOR];
  if (!monitor) {
    monitor = page[PAGE_MONITOR] = new CachePerformanceMonitor(availableStorage('sessionStorage'));
    const save = () => monitor!.save();
    addEventListener('pagehide', save);
    addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && save());
  }
  return monitor;
}

// `window.cacheMonitor` for the console; the monitor is made when first read, so a page that never looks pays nothing.
// Not on a server rendering the page: it has no page to watch, and reading it there would throw.
if (!isServer && !('cacheMonitor' in globalThis))
  Object.defineProperty(globalThis, 'cacheMonitor', { get: pageMonitor, configurable: true });
