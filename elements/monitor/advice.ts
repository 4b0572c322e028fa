import type { CacheMetrics } from './figures.ts';
import { percent } from './format.ts';
import type { Surroundings } from './surroundings.ts';

/** One recommendation: `warn` asks for a change, `ok` says none is needed. */
export interface Advice {
  /** The rule that gave it, stable for scripts: `cold-misses`, `indexeddb-off`, … */
  rule: string;
  level: 'warn' | 'ok';
  text: string;
}

/** Below these many resolutions (or backend lookups) a hit rate says little. */
const MIN_REQUESTS = 20;
/** A hit rate below this is worth acting on. */
const LOW_HIT_RATE = 0.8;
/** LocalStorage this full makes the store evict its own entries. */
const NEAR_QUOTA = 0.8;

type Rule = (metrics: CacheMetrics, around: Surroundings) => Omit<Advice, 'level'> | Omit<Advice, 'level'>[] | undefined;

/** The rules, in the order their advice is shown. Each looks at the figures and says one thing, or nothing. */
export const rules: Record<string, Rule> = {
  'cold-misses': ({ requests, hitRate, layers }) => {
    const misses = layers.network.hits;
    if (requests < MIN_REQUESTS || hitRate >= LOW_HIT_RATE || misses < 10) return;
    return { rule: 'cold-misses', text: `Hit rate ${percent(hitRate)} with ${misses} cold misses in this session: prefetch the lists you show (store.prefetch(ids) asks for up to 100 pictures in one request, before their elements need them).` };
  },
  'indexeddb-off': (_, { indexedDB }) => {
    if (indexedDB !== false) return;
    return { rule: 'indexeddb-off', text: 'IndexedDB is off (private mode, or its module could not be loaded): pictures are remembered for 45 minutes at most (LocalStorage), and none can show offline.' };
  },
  'no-service-worker': (_, { serviceWorker }) => {
    if (serviceWorker.state !== 'none') return;
    return { rule: 'no-service-worker', text: 'No service worker controls this page: pictures will not show offline. Opt in with <picture-store-provider service-worker="/sw.js"> or swManager.register().' };
  },
  'local-storage-full': (_, { localStorage }) => {
    if (!localStorage || localStorage.used < NEAR_QUOTA * localStorage.quota) return;
    return { rule: 'local-storage-full', text: `LocalStorage is ${percent(localStorage.used / localStorage.quota)} full: the store evicts its oldest pictures to make room, so reloads ask the network again. Free this site's own LocalStorage keys.` };
  },
  'backend-hit-rate': (_, { backends }) =>
    backends
      .filter(({ stats }) => stats && stats.hits + stats.misses >= MIN_REQUESTS && stats.hitRate < LOW_HIT_RATE)
      .map(({ apiBase, stats }) => ({
        rule: 'backend-hit-rate',
        text: `The image service's cache hit rate is ${percent(stats!.hitRate)} (${apiBase}, ${stats!.backend}): most lookups read the storage. Check that its Redis is reachable and not evicting keys.`,
      })),
  'errors': ({ errors, requests }) => {
    if (!errors) return;
    return { rule: 'errors', text: `${errors} picture${errors === 1 ? '' : 's'} could not be shown (${percent(errors / Math.max(requests, errors))} of requests): listen for picture-error on the elements to see why.` };
  },
  'timing-hidden': ({ sources }) => {
    const hidden = sources.unknown.hits;
    if (!hidden) return;
    return { rule: 'timing-hidden', text: `The browser did not say where the bytes of ${hidden} picture${hidden === 1 ? '' : 's'} came from: add Timing-Allow-Origin, naming this site, to the image host's responses, or raise performance.setResourceTimingBufferSize() if the page loads hundreds of resources.` };
  },
};

/** What to change, from the figures and the page's surroundings; "optimal" when nothing needs changing. */
export function advise(metrics: CacheMetrics, around: Surroundings): Advice[] {
  const advice = Object.values(rules).flatMap((rule) => [rule(metrics, around) ?? []].flat()).map((a) => ({ ...a, level: 'warn' as const }));
  if (advice.length) return advice;
  if (!metrics.requests) return [{ rule: 'no-figures', level: 'ok', text: 'No pictures yet: the figures start with the first picture shown.' }];
  return [{ rule: 'optimal', level: 'ok', text: `Performance is optimal! ${percent(metrics.hitRate)} of pictures were known without asking the network.` }];
}
