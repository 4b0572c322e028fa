/**
 * What the monitor counts: the state's shape and bounds, and how one answer is tallied. The counting (monitor.ts, in
 * the drop-in bundle) and the reading (report.ts and the modules it loads) share it, so it stays small.
 */
import type { ByteOrigin, MetaLayer } from '../store/types.ts';

/** The version of the monitor's stored and exported figures; figures of another version are not read. */
export const MONITOR_SCHEMA = 1;
/** Times kept per layer for the median and p95: the latest ones, so stored figures stay a few KB. */
export const SAMPLES = 100;
/** Resolutions per point of the hit-rate history. */
export const HISTORY_STEP = 10;
/** Points of the hit-rate history kept. */
export const HISTORY_POINTS = 60;

/** What one layer did: how often it answered, for how long in all, and its latest times (a ring by count). */
export interface Tally {
  count: number;
  totalMs: number;
  samples: number[];
}

/** Up to {@link HISTORY_STEP} resolutions in a row: when the first came, how many, how many a cache answered. */
export interface HistoryPoint {
  at: number;
  requests: number;
  hits: number;
}

/**
 * Everything the monitor counts: small, bounded, and plain JSON (it is kept in sessionStorage and exported). Every
 * leaf is a number, which is what makes a stored copy cheap to check.
 */
export interface MonitorState {
  /** The first and latest report, in milliseconds since the epoch; 0 before the first. */
  since: number;
  until: number;
  /** Which layer told the picture's version; a layer appears with its first answer. */
  layers: Partial<Record<MetaLayer, Tally>>;
  /** Where the bytes of each shown picture came from; a source appears with its first picture. */
  sources: Partial<Record<ByteOrigin, Tally>>;
  bytesSaved: number;
  errors: number;
  stale: number;
  history: HistoryPoint[];
}

/** The figures before the first report. */
export function emptyState(): MonitorState {
  return { since: 0, until: 0, layers: {}, sources: {}, bytesSaved: 0, errors: 0, stale: 0, history: [] };
}

/** Counts one answer of `ms` by the layer or source `name` in `tallies`, keeping its latest times. */
export function tally(tallies: Partial<Record<string, Tally>>, name: string, ms: number): void {
  const into = (tallies[name] ??= { count: 0, totalMs: 0, samples: [] });
  // A tenth of a millisecond is finer than any timer here, and keeps the stored figures short.
  const sample = Math.round(ms * 10) / 10;
  if (into.samples.length < SAMPLES) into.samples.push(sample);
  else into.samples[into.count % SAMPLES] = sample;
  into.count++;
  into.totalMs += ms;
}
