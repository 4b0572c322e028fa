// What a service worker does between a navigation's start and the page's response, read from a Chromium trace
// (`browser.startTracing` in playwright-core with COLD_START_CATEGORIES) of one navigation that started a stopped
// worker. The event names are Chromium's own (content/browser/service_worker, blink's worker and storage code).

/** The trace categories the phases are read from. */
export const COLD_START_CATEGORIES = [
  'navigation',
  'ServiceWorker',
  'blink.worker',
  'devtools.timeline',
  'v8',
  'CacheStorage',
  'IndexedDB',
];

/** Each phase's time in ms from the navigation's start; `undefined` when the worker did not do it. */
export interface ColdStartPhases {
  /** The browser asks for the stopped worker to start. */
  startAsked: number | undefined;
  /** Its thread and V8 isolate are ready (Chromium's part: the same for any worker). */
  threadReady: number | undefined;
  /** The worker's script has run (its compile and top-level code). */
  scriptEvaluated: number | undefined;
  /** The script's compile and top-level run alone, in ms. */
  scriptMs: number | undefined;
  /** The navigation's fetch event reaches the worker. */
  fetchEvent: number | undefined;
  /** The navigation preload's response reaches the worker. */
  preloadResponse: number | undefined;
  /** The first call of the Cache API (`caches.open`, or `caches.match` as Workbox's precache makes), and its answer. */
  cacheAsked: number | undefined;
  cacheAnswered: number | undefined;
  /** The first IndexedDB open asked, and answered. */
  indexedDbAsked: number | undefined;
  indexedDbOpened: number | undefined;
  /** The worker hands the page's response to the browser (`respondWith` settled). */
  responded: number | undefined;
  /** The browser has the page's response. */
  pageResponse: number | undefined;
}

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  args?: { name?: string };
}

/** Reads the phases of the first navigation in `trace` (the JSON `browser.stopTracing()` answers). */
export function coldStartPhases(trace: Buffer | string): ColdStartPhases {
  const events = (JSON.parse(String(trace)) as { traceEvents: TraceEvent[] }).traceEvents;
  const start = first(events, ['NavigationRequest::BeginNavigation']);
  if (!start) throw new Error('the trace has no navigation');
  /** When the first event of `names` starts (or, with `end`, ends). */
  const at = (names: string[], end = false) => {
    const event = first(events, names, start.ts);
    if (!event) return undefined;
    const ts = end ? event.ts + (event.dur ?? 0) : event.ts;
    return (ts - start.ts) / 1000;
  };
  const indexedDbEnd = events.find((e) => e.name === 'IDBFactory::open' && e.ph === 'e' && e.ts >= start.ts);
  const script = first(events, ['EvaluateScript'], start.ts, workerThreads(events));
  return {
    startAsked: at(['ServiceWorkerVersion::StartWorker']),
    threadReady: at(['WorkerThread::InitializeWorkerContext'], true),
    scriptEvaluated: script && (script.ts + (script.dur ?? 0) - start.ts) / 1000,
    scriptMs: script?.dur && script.dur / 1000,
    fetchEvent: at(['ServiceWorkerGlobalScope::DispatchFetchEventInternal']),
    preloadResponse: at(['ServiceWorkerContextClient::OnNavigationPreloadResponse']),
    cacheAsked: at(['CacheStorage::Open', 'CacheStorage::MatchImpl']),
    cacheAnswered: at(['CacheStorage::Open::Callback', 'CacheStorage::MatchImpl::Callback'], true),
    indexedDbAsked: at(['IDBFactory::open']),
    indexedDbOpened: indexedDbEnd && (indexedDbEnd.ts - start.ts) / 1000,
    responded: at([
      'ServiceWorkerGlobalScope::RespondToFetchEventWithResponseStream',
      'ServiceWorkerGlobalScope::RespondToFetchEvent',
    ]),
    pageResponse: at(['NavigationRequest::OnResponseStarted']),
  };
}

/**
 * The first slice ('X'), instant ('I') or async span's start ('b') named one of `names` at or after `from`, on one of
 * `threads` when given. Flow steps ('s', 'f') repeat the names and are skipped.
 */
function first(events: TraceEvent[], names: string[], from = 0, threads?: Set<string>): TraceEvent | undefined {
  return events
    .filter((e) => names.includes(e.name) && 'XIb'.includes(e.ph) && e.ts >= from)
    .filter((e) => !threads || threads.has(`${e.pid}:${e.tid}`))
    .sort((a, b) => a.ts - b.ts)[0];
}

/** The threads Chromium names as service workers' (`pid:tid`). */
function workerThreads(events: TraceEvent[]): Set<string> {
  return new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'ServiceWorker thread')
      .map((e) => `${e.pid}:${e.tid}`),
  );
}
