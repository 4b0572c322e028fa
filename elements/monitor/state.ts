import { ByteOrigins, MetaLayers, type ByteOrigin, type MetaLayer } from '../store/types.ts';

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

const emptyTally = (): Tally => ({ count: 0, totalMs: 0, samples: [] });

/** Every layer's and source's tally, an empty one for those that never answered. */
export function allTallies<K extends string>(names: readonly K[], tallies: Partial<Record<K, Tally>>): Record<K, Tally> {
  return Object.fromEntries(names.map((name) => [name, tallies[name] ?? emptyTally()])) as Record<K, Tally>;
}

/**
 * `value` as monitor figures, or an error naming the first field that is wrong: any missing or extra-long part, or
 * a leaf that is not a finite number of zero or more, would otherwise break counting or the stored size bound.
 */
export function readState(value: unknown): MonitorState {
  // The shape every state has: arrays hold elements like their first, and every leaf is a number.
  const tallyShape = { count: 0, totalMs: 0, samples: [0] };
  const named = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, tallyShape]));
  const shape = { ...emptyState(), layers: named(MetaLayers), sources: named(ByteOrigins), history: [{ at: 0, requests: 0, hits: 0 }] };
  const check = (shape: unknown, v: unknown, path: string): void => {
    const ok = Array.isArray(shape)
      ? Array.isArray(v) && v.length <= (path.endsWith('history') ? HISTORY_POINTS : SAMPLES)
      : typeof shape === 'object' ? typeof v === 'object' && v !== null : typeof v === 'number' && v >= 0 && v < Infinity;
    if (!ok) throw new Error(`the figures' ${path || 'root'} is missing or wrong`);
    if (typeof shape === 'object') {
      for (const [key, part] of Object.entries(shape!)) {
        if (Array.isArray(shape)) (v as unknown[]).forEach((item, i) => check(part, item, `${path}[${i}]`));
        // A layer or source that never answered has no tally yet.
        else if (!(/^(layers|sources)$/.test(path) && (v as Record<string, unknown>)[key] === undefined)) {
          check(part, (v as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
        }
      }
    }
  };
  check(shape, value, '');
  return value as MonitorState;
}

