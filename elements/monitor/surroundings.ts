/**
 * What the advice and the dashboard read besides the monitor's figures: the watched stores' layers, the service
 * worker, the image services' caches, LocalStorage, and the lookups the page sent (Resource Timing). Part of the
 * reading half, loaded through report.ts.
 */
import type { CacheStats } from '../../contract/picture.ts';
import type { WorkerStats } from '../../sw/messages.ts';
import { tellWorker } from '../../sw/tell-worker.ts';
import type { StoreStats } from '../store/picture-store.ts';

/** A store whose state the advice may read (the page's stores attach themselves to the page's monitor). */
export interface WatchedStore {
  readonly apiBase: string;
  stats(): StoreStats;
}

/** What the advice needs beyond the monitor's figures: the state of the page's layers, the worker, the service. */
export interface Surroundings {
  /** `false` when a store's IndexedDB layer is off; `undefined` with no store to ask. */
  indexedDB?: boolean;
  /** The service worker's figures; `none` when no worker controls the page. */
  serviceWorker: { state: 'none' } | { state: 'active'; stats: WorkerStats } | { state: 'error'; error: string };
  /** Characters this origin keeps in LocalStorage, and about how many browsers allow (5 Mi). */
  localStorage?: { used: number; quota: number };
  /** Each image service's lookup cache (`GET {apiBase}/cache/stats`), or why it could not be read. */
  backends: { apiBase: string; stats?: CacheStats; error?: string }[];
  /** The lookups this page sent at once in more requests than their users needed, if any (see wastefulLookupBurst). */
  lookupBurst?: LookupBurst;
  /**
   * When this page began, in milliseconds since the epoch: figures that start earlier include earlier pages of the tab.
   */
  pageStart?: number;
}

/** What browsers allow an origin in LocalStorage: 5 Mi characters (keys and values). */
export const LOCAL_STORAGE_QUOTA = 5 * 1024 * 1024;

/** Reads the surroundings of `stores`: their layers, the page's service worker, their image services and lookups. */
export async function surroundings(watched: Iterable<WatchedStore>): Promise<Surroundings> {
  const stores = [...watched];
  const apiBases = [...new Set(stores.map((store) => store.apiBase))];
  const [serviceWorker, backends] = await Promise.all([workerStats(), Promise.all(apiBases.map(backendStats))]);
  return {
    indexedDB: stores.length ? stores.every((store) => store.stats().indexedDB) : undefined,
    serviceWorker,
    localStorage: localStorageUse(),
    backends,
    lookupBurst: wastefulLookupBurst(apiBases, performance.getEntriesByType('resource')),
    pageStart: performance.timeOrigin,
  };
}

/** The figures of the worker controlling the page, asked through its message API. */
export async function workerStats(): Promise<Surroundings['serviceWorker']> {
  try {
    const stats = await tellWorker<WorkerStats>({ type: 'stats' });
    return stats ? { state: 'active', stats } : { state: 'none' };
  } catch (error) {
    return { state: 'error', error: (error as Error).message };
  }
}

/** The image service's lookup-cache figures. */
export async function backendStats(apiBase: string): Promise<Surroundings['backends'][number]> {
  try {
    const res = await fetch(`${apiBase}/cache/stats`);
    if (!res.ok) return { apiBase, error: `${res.status} ${res.statusText}`.trim() };
    return { apiBase, stats: (await res.json()) as CacheStats };
  } catch (error) {
    return { apiBase, error: (error as Error).message };
  }
}

function localStorageUse(): Surroundings['localStorage'] {
  try {
    const storage = globalThis.localStorage;
    let used = 0;
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i)!;
      used += key.length + (storage.getItem(key)?.length ?? 0);
    }
    return { used, quota: LOCAL_STORAGE_QUOTA };
  } catch {
    return undefined;
  }
}

/** Lookups sent for what the page showed at once, and how many users they asked for in all. */
export interface LookupBurst {
  requests: number;
  users: number;
}

/** The most users one lookup asks for: the service's limit, which the store's batches keep to. */
export const USERS_PER_LOOKUP = 100;

/**
 * A lookup that starts within this of the one before it was sent for the same showing: the tasks of one render (a
 * list appended item by item, a framework yielding every 5 ms) come closer together, while an IntersectionObserver
 * brings a scrolled list's pictures in at most once a frame (8.3 ms at 120 Hz), and a person scrolling is not
 * showing them at once.
 */
export const AT_ONCE_MS = 6;

/**
 * The burst of lookups (`GET {apiBase}/pictures?users=…`) with the most requests beyond the users it asked for
 * (one request per {@link USERS_PER_LOOKUP}), read from the page's Resource Timing entries; `undefined` when every
 * burst took as few requests as it could. Such a burst means elements shown together asked separately, which one
 * `store.prefetch(ids)` would have made a single request.
 */
export function wastefulLookupBurst(
  apiBases: readonly string[],
  entries: readonly PerformanceEntry[],
): LookupBurst | undefined {
  const prefixes = apiBases.map((apiBase) => new URL(`${apiBase}/pictures?users=`, location.href).href);
  const lookups = entries
    .filter(({ name }) => prefixes.some((prefix) => name.startsWith(prefix)))
    .sort((a, b) => a.startTime - b.startTime);
  const bursts: LookupBurst[] = [];
  let last = -Infinity;
  for (const { name, startTime } of lookups) {
    if (startTime - last > AT_ONCE_MS) bursts.push({ requests: 0, users: 0 });
    last = startTime;
    const burst = bursts.at(-1)!;
    burst.requests++;
    burst.users += new URL(name).searchParams.get('users')!.split(',').length;
  }
  return bursts.filter((burst) => excess(burst) > 0).sort((a, b) => excess(b) - excess(a))[0];
}

const excess = ({ requests, users }: LookupBurst) => requests - Math.ceil(users / USERS_PER_LOOKUP);
