import type { CacheStats } from '../../contract/picture.ts';
import type { WorkerStats } from '../../sw/messages.ts';
import { tellWorker } from '../../sw/tell-worker.ts';
import { wastefulLookupBurst, type LookupBurst } from './lookup-bursts.ts';
import type { WatchedStore } from './monitor.ts';

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
  /** When this page began, in milliseconds since the epoch: figures that start earlier include earlier pages of the tab. */
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
