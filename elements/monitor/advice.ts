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

/** Below these many resolutions a hit rate says little. */
const MIN_REQUESTS = 20;
/**
 * Below these many lookups of an image service that its cache could have answered, its hit rate says little: a
 * batch's worth (a page asks for up to 100 users at once), so no single page's visit decides it.
 */
const MIN_BACKEND_LOOKUPS = 100;
/** A hit rate below this is worth acting on. */
const LOW_HIT_RATE = 0.8;
/** LocalStorage this full makes the store evict its own entries. */
const NEAR_QUOTA = 0.8;

type Rule = (
  metrics: CacheMetrics,
  around: Surroundings,
) => Omit<Advice, 'level'> | Omit<Advice, 'level'>[] | undefined;

/** The rules, in the order their advice is shown. Each looks at the figures and says one thing, or nothing. */
export const rules: Record<string, Rule> = {
  // A first visit's misses are no fault: only pictures shown together but asked for in several requests are.
  'cold-misses': ({ requests, hitRate, layers }, { lookupBurst }) => {
    const misses = layers.network.hits;
    if (requests < MIN_REQUESTS || hitRate >= LOW_HIT_RATE || misses < 10 || !lookupBurst) return;
    const { users, requests: sent } = lookupBurst;
    return {
      rule: 'cold-misses',
      text: `Hit rate ${percent(hitRate)} with ${misses} cold misses in this session, and ${users} pictures shown at once were asked for in ${sent} requests: prefetch the lists you show (store.prefetch(ids) asks for up to 100 pictures in one request, before their elements need them).`,
    };
  },
  'indexeddb-off': (_, { indexedDB }) => {
    if (indexedDB !== false) return;
    return {
      rule: 'indexeddb-off',
      text: 'IndexedDB is off (private mode, or its module could not be loaded): pictures are remembered for 45 minutes at most (LocalStorage), and none can show offline.',
    };
  },
  'no-service-worker': (_, { serviceWorker }) => {
    if (serviceWorker.state !== 'none') return;
    return {
      rule: 'no-service-worker',
      text: 'No service worker controls this page: pictures will not show offline. Opt in with <picture-store-provider service-worker="/sw.js"> or swManager.register().',
    };
  },
  'local-storage-full': (_, { localStorage }) => {
    if (!localStorage || localStorage.used < NEAR_QUOTA * localStorage.quota) return;
    return {
      rule: 'local-storage-full',
      text: `LocalStorage is ${percent(localStorage.used / localStorage.quota)} full: the store evicts its oldest pictures to make room, so reloads ask the network again. Free this site's own LocalStorage keys.`,
    };
  },
  'backend-hit-rate': (_, { backends }) =>
    backends.flatMap(({ apiBase, stats }) => {
      if (!stats) return [];
      // Each user's first lookup since the cache started must miss (a fresh start's are all misses); only the misses
      // beyond those, past the users cached now, are lookups the cache let go of.
      const answerable = stats.hits + Math.max(0, stats.misses - stats.keys);
      if (answerable < MIN_BACKEND_LOOKUPS || stats.hits >= LOW_HIT_RATE * answerable) return [];
      // Redis is named only where there is one: the embedded default runs without.
      const fix =
        stats.backend === 'redis'
          ? 'Check that its Redis is reachable and not evicting keys.'
          : "Its cache is the service process's own memory, which keeps only the users looked up most recently: a site with more people than it keeps needs a shared cache (see the service's configuration).";
      return [
        {
          rule: 'backend-hit-rate',
          text: `The image service's cache hit rate is ${percent(stats.hits / answerable)} past each user's first lookup (${apiBase}, ${stats.backend}): most lookups read the storage. ${fix}`,
        },
      ];
    }),
  errors: ({ errors, requests }) => {
    if (!errors) return;
    return {
      rule: 'errors',
      text: `${errors} picture${errors === 1 ? '' : 's'} could not be shown (${percent(errors / Math.max(requests, errors))} of requests): listen for picture-error on the elements to see why.`,
    };
  },
  'timing-hidden': ({ sources }) => {
    const hidden = sources.unknown.hits;
    if (!hidden) return;
    return {
      rule: 'timing-hidden',
      text: `The browser did not say where the bytes of ${hidden} picture${hidden === 1 ? '' : 's'} came from: add Timing-Allow-Origin, naming this site, to the image host's responses, or raise performance.setResourceTimingBufferSize() if the page loads hundreds of resources.`,
    };
  },
};

/**
 * What to change, from the figures and the page's surroundings; when nothing needs changing, "optimal" once there is
 * enough to judge, and what is missing before that.
 */
export function advise(metrics: CacheMetrics, around: Surroundings): Advice[] {
  const advice = Object.values(rules)
    .flatMap((rule) => [rule(metrics, around) ?? []].flat())
    .map((a) => ({ ...a, level: 'warn' as const }));
  if (advice.length) return advice;
  if (!metrics.requests)
    return [
      { rule: 'no-figures', level: 'ok', text: 'No pictures yet: the figures start with the first picture shown.' },
    ];
  const early = tooEarly(metrics, around);
  if (early) return [{ rule: 'too-early', level: 'ok', text: early }];
  return [
    {
      rule: 'optimal',
      level: 'ok',
      text: `Performance is optimal! ${percent(metrics.hitRate)} of pictures were known without asking the network.`,
    },
  ];
}

/**
 * Why the hit rate cannot be judged yet, or `undefined` when it can: too few pictures, or only pictures new to this
 * page (no cache answered one, and the figures begin on this page), which the network must answer on any first visit.
 */
function tooEarly({ requests, hits, period }: CacheMetrics, { pageStart }: Surroundings): string | undefined {
  if (!hits && period && pageStart !== undefined && period.start >= pageStart) {
    return `Not enough to judge yet: every picture so far (${requests}) was new to this page, so the network answered each, as on any first visit. Reload or open another page to see the caches at work.`;
  }
  if (requests < MIN_REQUESTS)
    return `Not enough to judge yet: ${requests} picture${requests === 1 ? '' : 's'} so far; the hit rate says something from ${MIN_REQUESTS}.`;
}
