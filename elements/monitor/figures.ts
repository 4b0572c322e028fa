/**
 * What the counted state adds up to: the figures `cacheMonitor.getMetrics()` answers, and the JSON `export()` writes
 * and `restore()` reads back. Part of the reading half, loaded through report.ts.
 */
import { ByteOrigins, MetaLayers, type ByteOrigin, type MetaLayer } from '../store/types.ts';
import { emptyState, HISTORY_POINTS, MONITOR_SCHEMA, SAMPLES, type MonitorState, type Tally } from './state.ts';

/** One layer's figures. Means are over every answer; the median and p95 over its latest 100 times. */
export interface LayerFigures {
  hits: number;
  /** Of all resolutions (a metadata layer) or of all shown pictures (a byte source), 0 to 1. */
  share: number;
  meanMs: number | null;
  medianMs: number | null;
  p95Ms: number | null;
}

/** What `cacheMonitor.getMetrics()` answers. Times in milliseconds, sizes in bytes, rates from 0 to 1. */
export interface CacheMetrics {
  /** The first and the latest report, in milliseconds since the epoch; `null` before the first. */
  period: { start: number; end: number } | null;
  /** Resolutions: how many times a picture's version was asked for. */
  requests: number;
  /** Resolutions a cache answered (memory, LocalStorage, IndexedDB). */
  hits: number;
  hitRate: number;
  /** Pictures shown (their image loaded). */
  loads: number;
  /** From asking for a picture to its image loaded, over every shown picture. */
  meanLoadMs: number | null;
  /** Bytes of the pictures whose bytes came from a cache rather than the network. */
  bytesSaved: number;
  /**
   * What the pictures a cache served would have cost at the measured mean of those the network served, less what
   * they cost; `null` until the network has served one.
   */
  timeSavedMs: number | null;
  /** Pictures that could not be resolved or shown. */
  errors: number;
  /** Pictures shown from stored bytes while their URL had expired. */
  stale: number;
  /** Which layer told each picture's version. */
  layers: Record<MetaLayer, LayerFigures>;
  /** Where each shown picture's bytes came from. */
  sources: Record<ByteOrigin, LayerFigures>;
  /** The hit rate of each run of up to 10 resolutions, oldest first (at most 60). */
  history: { at: number; requests: number; hitRate: number }[];
}

const CACHED_SOURCES = ['memoryCache', 'httpCache', 'serviceWorker', 'indexedDB'] as const;

/** The figures a state adds up to. */
export function figuresOf(state: MonitorState): CacheMetrics {
  const layers = allTallies(MetaLayers, state.layers);
  const sources = allTallies(ByteOrigins, state.sources);
  const requests = sum(Object.values(layers));
  const loads = sum(Object.values(sources));
  const hits = requests - layers.network.count;
  const networkMean = mean(sources.network);
  const cached = CACHED_SOURCES.map((name) => sources[name]);
  return {
    period: state.since ? { start: state.since, end: state.until } : null,
    requests,
    hits,
    hitRate: requests ? hits / requests : 0,
    loads,
    meanLoadMs: loads ? Object.values(sources).reduce((ms, t) => ms + t.totalMs, 0) / loads : null,
    bytesSaved: state.bytesSaved,
    timeSavedMs:
      networkMean === null
        ? null
        : Math.max(
            0,
            cached.reduce((ms, t) => ms + t.count * networkMean - t.totalMs, 0),
          ),
    errors: state.errors,
    stale: state.stale,
    layers: each(layers, requests),
    sources: each(sources, loads),
    history: state.history.map(({ at, requests, hits }) => ({ at, requests, hitRate: requests ? hits / requests : 0 })),
  };
}

function each<K extends string>(tallies: Record<K, Tally>, total: number): Record<K, LayerFigures> {
  const out = {} as Record<K, LayerFigures>;
  for (const name in tallies) {
    const t = tallies[name];
    const sorted = [...t.samples].sort((a, b) => a - b);
    out[name] = {
      hits: t.count,
      share: total ? t.count / total : 0,
      meanMs: mean(t),
      medianMs: rank(sorted, 0.5),
      p95Ms: rank(sorted, 0.95),
    };
  }
  return out;
}

const emptyTally = (): Tally => ({ count: 0, totalMs: 0, samples: [] });

/** Every layer's and source's tally, an empty one for those that never answered. */
function allTallies<K extends string>(names: readonly K[], tallies: Partial<Record<K, Tally>>): Record<K, Tally> {
  return Object.fromEntries(names.map((name) => [name, tallies[name] ?? emptyTally()])) as Record<K, Tally>;
}

const sum = (tallies: Tally[]) => tallies.reduce((n, t) => n + t.count, 0);
const mean = (t: Tally) => (t.count ? t.totalMs / t.count : null);
/** The nearest-rank percentile of sorted times. */
const rank = (sorted: number[], p: number) => (sorted.length ? sorted[Math.ceil(p * sorted.length) - 1]! : null);

/** What `cacheMonitor.export()` answers, as JSON. */
export interface MonitorExport {
  schema: typeof MONITOR_SCHEMA;
  /** ISO 8601. */
  exportedAt: string;
  metrics: CacheMetrics;
  /** The raw figures, which `cacheMonitor.restore()` reads back. */
  state: MonitorState;
}

/** The export of `state`, made at `now` (milliseconds since the epoch). */
export function exportText(state: MonitorState, now: number): string {
  const report: MonitorExport = {
    schema: MONITOR_SCHEMA,
    exportedAt: new Date(now).toISOString(),
    metrics: figuresOf(state),
    state,
  };
  return JSON.stringify(report, null, 2);
}

/** The figures in an export's JSON text, or an error that says what is wrong with it. */
export function readExport(text: string): MonitorState {
  const fail = (why: string) => new Error(`Not a cache monitor export: ${why}.`);
  let value: Partial<MonitorExport> | null;
  try {
    value = JSON.parse(text);
  } catch {
    throw fail('it is not JSON');
  }
  if (value?.schema !== MONITOR_SCHEMA)
    throw fail(`its schema is ${JSON.stringify(value?.schema)}, not ${MONITOR_SCHEMA}`);
  try {
    return readState(value.state);
  } catch (error) {
    throw fail((error as Error).message);
  }
}

/**
 * `value` as monitor figures, or an error naming the first field that is wrong: any missing or extra-long part, or
 * a leaf that is not a finite number of zero or more, would otherwise break counting or the stored size bound.
 */
function readState(value: unknown): MonitorState {
  // The shape every state has: arrays hold elements like their first, and every leaf is a number.
  const tallyShape = { count: 0, totalMs: 0, samples: [0] };
  const named = (names: readonly string[]) => Object.fromEntries(names.map((name) => [name, tallyShape]));
  const shape = {
    ...emptyState(),
    layers: named(MetaLayers),
    sources: named(ByteOrigins),
    history: [{ at: 0, requests: 0, hits: 0 }],
  };
  const check = (shape: unknown, v: unknown, path: string): void => {
    const ok = Array.isArray(shape)
      ? Array.isArray(v) && v.length <= (path.endsWith('history') ? HISTORY_POINTS : SAMPLES)
      : typeof shape === 'object'
        ? typeof v === 'object' && v !== null
        : typeof v === 'number' && v >= 0 && v < Infinity;
    if (!ok) throw new Error(`the figures' ${path || 'root'} is missing or wrong`);
    if (typeof shape === 'object') {
      for (const [key, part] of Object.entries(shape!)) {
        if (Array.isArray(shape)) {
          (v as unknown[]).forEach((item, i) => {
            check(part, item, `${path}[${i}]`);
          });
        }
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
