import type { PictureMonitor, ResolutionReport } from '../store/types.ts';
import type { CacheMetrics } from './figures.ts';
import { emptyState, HISTORY_POINTS, HISTORY_STEP, MONITOR_SCHEMA, tally, type MonitorState } from './state.ts';
import type { WatchedStore } from './surroundings.ts';

/** The figures' key in storage. */
export const MONITOR_KEY = 'cached-profile-pictures:monitor';

/** The module that reads the figures, fetched on the first call that needs it. */
const reader = () => import('./report.ts');

/**
 * Counts every resolution the picture stores report: per layer, hits and times; per byte source, shown pictures
 * and times; bytes saved, errors, stale serves, and the hit rate over time. Recording only counts and appends to
 * bounded samples. Reading the figures (`getMetrics`, `export`, `restore`, `logSummary`) loads the report's module
 * on first use, so those answer promises; the drop-in bundle carries only the counting. The page's monitor is
 * `window.cacheMonitor`.
 *
 * @example
 * const monitor = new CachePerformanceMonitor();
 * const store = new PictureStore({ monitor });
 * monitor.subscribe(async () => console.log((await monitor.getMetrics()).hitRate));
 */
export class CachePerformanceMonitor implements PictureMonitor {
  /** The stores whose state the advice reads (IndexedDB on or off, their image service); the page's join it. */
  readonly stores = new Set<WatchedStore>();
  #state: MonitorState;
  readonly #storage: Storage | null;
  readonly #listeners = new Set<() => void>();
  #notifying = false;
  #saveFailed = false;

  /**
   * @param storage Where {@link save} keeps the figures across a reload, under {@link MONITOR_KEY} (default: nowhere).
   */
  constructor(storage: Storage | null = null) {
    this.#storage = storage;
    this.#state = this.#load();
  }

  record(report: ResolutionReport): void {
    const state = this.#state;
    const now = Date.now();
    state.since ||= now;
    state.until = now;
    if (report.error !== undefined) {
      state.errors++;
    } else if (report.source) {
      tally(state.sources, report.source, report.ms);
      state.bytesSaved += report.bytesSaved ?? 0;
    } else {
      tally(state.layers, report.layer, report.ms);
      if (report.stale) state.stale++;
      let point = state.history.at(-1);
      if (!point || point.requests >= HISTORY_STEP) {
        state.history.push((point = { at: now, requests: 0, hits: 0 }));
        if (state.history.length > HISTORY_POINTS) state.history.shift();
      }
      point.requests++;
      if (report.layer !== 'network') point.hits++;
    }
    this.#changed();
  }

  /**
   * Calls `listener` after the figures change, at most once per task (a list of 50 pictures is one call). Returns
   * the function that unsubscribes.
   */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Forgets every figure, here and in storage. */
  clear(): void {
    this.#state = emptyState();
    try {
      this.#storage?.removeItem(MONITOR_KEY);
    } catch {
      // Storage that cannot be written to holds nothing of ours to remove.
    }
    this.#changed();
  }

  /** The figures now: totals, per layer, per byte source, and the hit rate over time. */
  async getMetrics(): Promise<CacheMetrics> {
    return (await reader()).figuresOf(this.#state);
  }

  /** The figures as JSON: `{schema, exportedAt, metrics, state}`, for a script or an analytics service. */
  async export(): Promise<string> {
    return (await reader()).exportText(this.#state, Date.now());
  }

  /** Replaces the figures with those of an {@link export}; rejects, changing nothing, when `json` is not one. */
  async restore(json: string): Promise<void> {
    this.#state = (await reader()).readExport(json);
    this.#changed();
  }

  /**
   * Prints the performance report (period, totals, layer breakdown, recommendations) to the console and answers
   * its text.
   */
  async logSummary(): Promise<string> {
    return (await reader()).logSummary(this);
  }

  /** Keeps the figures in storage now; the page's monitor does so when the page is hidden or goes away. */
  save(): void {
    if (!this.#storage) return;
    try {
      const json = JSON.stringify(this.#state);
      this.#storage.setItem(MONITOR_KEY, `${MONITOR_SCHEMA} ${checksum(json)} ${json}`);
      this.#saveFailed = false;
    } catch (error) {
      // Said once per failing spell: the page hides and shows often.
      if (!this.#saveFailed) console.warn(`[CacheMonitor] figures not kept for a reload: ${(error as Error).message}`);
      this.#saveFailed = true;
    }
  }

  #changed(): void {
    if (!this.#listeners.size || this.#notifying) return;
    this.#notifying = true;
    queueMicrotask(() => {
      this.#notifying = false;
      for (const listener of this.#listeners) listener();
    });
  }

  #load(): MonitorState {
    let text: string | null | undefined;
    try {
      text = this.#storage?.getItem(MONITOR_KEY);
    } catch {
      // Unreadable storage (a privacy mode) keeps nothing: count from zero.
    }
    if (!text) return emptyState();
    // Only this code writes the entry: the checksum tells it is whole, and the schema that its shape is this one.
    const [, schema, sum, json] = /^(\d+) (-?\d+) (.*)$/s.exec(text) ?? [];
    if (Number(schema) === MONITOR_SCHEMA && Number(sum) === checksum(json!)) return JSON.parse(json!) as MonitorState;
    console.warn('[CacheMonitor] figures kept before the reload are unreadable: counting from zero');
    return emptyState();
  }
}

/** A 32-bit hash of `text`, enough to tell an altered or cut entry from the one written. */
function checksum(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0;
  return hash;
}
