// Each advice rule fires on the figures that should trigger it and stays quiet otherwise. Figures are counted by a
// real monitor from the reports a store would send; the surroundings are written out, as surroundings() would read
// them from the page, the worker and the service.
import { expect } from '@esm-bundle/chai';
import type { CacheStats } from '../../contract/picture.ts';
import type { WorkerStats } from '../../sw/messages.ts';
import type { ByteOrigin, MetaLayer } from '../store/types.ts';
import { advise, rules } from './advice.ts';
import type { CacheMetrics } from './figures.ts';
import { CachePerformanceMonitor } from './monitor.ts';
import { LOCAL_STORAGE_QUOTA, type Surroundings } from './surroundings.ts';

/** Figures of a session in which each layer answered so many times (and each byte source served so many). */
async function figures(
  layers: Partial<Record<MetaLayer, number>>,
  extra: { sources?: Partial<Record<ByteOrigin, number>>; errors?: number } = {},
): Promise<CacheMetrics> {
  const monitor = new CachePerformanceMonitor();
  for (const [layer, n] of Object.entries(layers))
    for (let i = 0; i < n; i++) monitor.record({ userId: `u${i}`, layer: layer as MetaLayer, ms: 1 });
  for (const [source, n] of Object.entries(extra.sources ?? {})) {
    for (let i = 0; i < n; i++)
      monitor.record({ userId: `u${i}`, layer: 'memory', source: source as ByteOrigin, ms: 1 });
  }
  for (let i = 0; i < (extra.errors ?? 0); i++)
    monitor.record({ userId: `e${i}`, layer: 'network', ms: 1, error: 'failed' });
  return monitor.getMetrics();
}

const workerStats: WorkerStats = {
  totalEntries: 50,
  validEntries: 50,
  expiredEntries: 0,
  totalSizeKB: 1000,
  totalSizeMB: '0.98',
  hits: 50,
  misses: 50,
  stale: 0,
  queuedUploads: 0,
  maxEntries: 200,
  maxBytes: 50 * 1024 * 1024,
  cacheVersion: 1,
};
/** An image service's cache figures: `keys` users cached now (each missed once, at its first lookup). */
const backend = (hits: number, misses: number, keys = 10, kind: CacheStats['backend'] = 'redis'): CacheStats => ({
  backend: kind,
  hits,
  misses,
  hitRate: hits / (hits + misses),
  keys,
});
/** Surroundings in which the figures began on this page: a first visit, or a reset on this page. */
const firstPage = (metrics: CacheMetrics): Partial<Surroundings> => ({ pageStart: metrics.period!.start });

/** A page where everything is as it should be. */
const healthy: Surroundings = {
  indexedDB: true,
  serviceWorker: { state: 'active', stats: workerStats },
  localStorage: { used: 10_000, quota: LOCAL_STORAGE_QUOTA },
  backends: [{ apiBase: '/api', stats: backend(95, 5) }],
};

const fired = (metrics: CacheMetrics, around: Surroundings) => advise(metrics, around).map((a) => a.rule);

describe('advice', () => {
  it('says performance is optimal when no rule fires, and that there is nothing yet before any picture', async () => {
    const good = await figures({ memory: 90, network: 10 });
    expect(advise(good, healthy)).to.deep.equal([
      {
        rule: 'optimal',
        level: 'ok',
        text: 'Performance is optimal! 90.0% of pictures were known without asking the network.',
      },
    ]);
    expect(advise(good, { ...healthy, ...firstPage(good) })[0]!.rule, 'a cache answered some on this page').to.equal(
      'optimal',
    );
    expect(fired(await figures({}), healthy)).to.deep.equal(['no-figures']);
  });

  it('says there is not enough to judge yet on a first visit, or with few pictures, never that performance is optimal', async () => {
    const first = await figures({ network: 51 });
    expect(advise(first, { ...healthy, ...firstPage(first) })).to.deep.equal([
      {
        rule: 'too-early',
        level: 'ok',
        text: 'Not enough to judge yet: every picture so far (51) was new to this page, so the network answered each, as on any first visit. Reload or open another page to see the caches at work.',
      },
    ]);
    const phone = await figures({ network: 12 });
    expect(advise(phone, { ...healthy, ...firstPage(phone) })[0]!.text).to.match(
      /^Not enough to judge yet: every picture so far \(12\) was new/,
    );
    expect(advise(await figures({ memory: 4, network: 4 }), healthy)).to.deep.equal([
      {
        rule: 'too-early',
        level: 'ok',
        text: 'Not enough to judge yet: 8 pictures so far; the hit rate says something from 20.',
      },
    ]);
    expect(advise(await figures({ localStorage: 1 }), healthy)[0]!.text).to.equal(
      'Not enough to judge yet: 1 picture so far; the hit rate says something from 20.',
    );
    // Figures that began on an earlier page of the tab (a reload) are judged: those pictures could have been known.
    expect(fired(first, { ...healthy, pageStart: first.period!.start + 1 })).to.deep.equal(['optimal']);
  });

  it('cold-misses: a prefetch only when pictures shown at once were asked for in more than one request', async () => {
    const cold = await figures({ memory: 26, network: 16 });
    const scattered: Surroundings = { ...healthy, lookupBurst: { requests: 4, users: 16 } };
    const advice = advise(cold, scattered);
    expect(advice.map((a) => a.rule)).to.deep.equal(['cold-misses']);
    expect(advice[0]!.level).to.equal('warn');
    expect(advice[0]!.text).to.match(
      /^Hit rate 61\.9% with 16 cold misses in this session, and 16 pictures shown at once were asked for in 4 requests: prefetch the lists you show/,
    );
    expect(fired(cold, healthy), 'all asked for together').to.deep.equal(['optimal']);
    const firstVisit = await figures({ network: 51 });
    expect(
      fired(firstVisit, { ...healthy, ...firstPage(firstVisit) }),
      'a first visit, 50 in one request',
    ).to.deep.equal(['too-early']);
    expect(fired(firstVisit, { ...scattered, ...firstPage(firstVisit) }), 'a first visit, 50 in several').to.deep.equal(
      ['cold-misses'],
    );
    expect(fired(await figures({ memory: 85, network: 15 }), scattered), 'hit rate 85%').to.deep.equal(['optimal']);
    expect(fired(await figures({ memory: 5, network: 9 }), scattered), 'too few to judge').to.deep.equal(['too-early']);
    expect(fired(await figures({ memory: 1, network: 9, localStorage: 20 }), scattered), 'few misses').to.deep.equal([
      'optimal',
    ]);
  });

  it("indexeddb-off: only when a store's IndexedDB layer is off", async () => {
    const m = await figures({ memory: 20 });
    expect(fired(m, { ...healthy, indexedDB: false })).to.deep.equal(['indexeddb-off']);
    expect(advise(m, { ...healthy, indexedDB: false })[0]!.text).to.match(/^IndexedDB is off \(private mode/);
    expect(fired(m, { ...healthy, indexedDB: undefined })).to.deep.equal(['optimal']);
  });

  it('no-service-worker: only when no worker controls the page', async () => {
    const m = await figures({ memory: 20 });
    expect(fired(m, { ...healthy, serviceWorker: { state: 'none' } })).to.deep.equal(['no-service-worker']);
    expect(advise(m, { ...healthy, serviceWorker: { state: 'none' } })[0]!.text).to.match(
      /pictures will not show offline/,
    );
    expect(fired(m, { ...healthy, serviceWorker: { state: 'error', error: 'timeout' } })).to.deep.equal(['optimal']);
  });

  it('local-storage-full: from 80% of the quota', async () => {
    const m = await figures({ memory: 20 });
    const at = (share: number): Surroundings => ({
      ...healthy,
      localStorage: { used: share * LOCAL_STORAGE_QUOTA, quota: LOCAL_STORAGE_QUOTA },
    });
    expect(fired(m, at(0.85))).to.deep.equal(['local-storage-full']);
    expect(advise(m, at(0.85))[0]!.text).to.match(/^LocalStorage is 85\.0% full/);
    expect(fired(m, at(0.79))).to.deep.equal(['optimal']);
    expect(fired(m, { ...healthy, localStorage: undefined })).to.deep.equal(['optimal']);
  });

  it("backend-hit-rate: a service whose cache answers under 80% of 100 or more lookups past each user's first", async () => {
    const m = await figures({ memory: 20 });
    const evicting = (kind: CacheStats['backend']): Surroundings => ({
      ...healthy,
      backends: [
        { apiBase: '/api', stats: backend(40, 160, 10, kind) },
        { apiBase: '/other', stats: backend(500, 0) },
      ],
    });
    expect(fired(m, evicting('redis'))).to.deep.equal(['backend-hit-rate']);
    expect(advise(m, evicting('redis'))[0]!.text).to.equal(
      "The image service's cache hit rate is 21.1% past each user's first lookup (/api, redis): most lookups read the storage. Check that its Redis is reachable and not evicting keys.",
    );
    const memory = advise(m, evicting('memory'))[0]!.text;
    expect(memory).to.match(
      /^The image service's cache hit rate is 21\.1% past each user's first lookup \(\/api, memory\): most lookups read the storage\. Its cache is the service process's own memory/,
    );
    expect(memory, 'no Redis where there is none').not.to.match(/redis/i);
    // The demo's fresh start: the seeding's first lookup of each of 60 users missed, the friend list's 51 hit.
    expect(
      fired(m, { ...healthy, backends: [{ apiBase: '/api', stats: backend(51, 60, 60, 'memory') }] }),
      'a fresh start',
    ).to.deep.equal(['optimal']);
    expect(
      fired(m, { ...healthy, backends: [{ apiBase: '/api', stats: backend(30, 70, 10) }] }),
      'too few lookups to judge',
    ).to.deep.equal(['optimal']);
    expect(fired(m, { ...healthy, backends: [{ apiBase: '/api', error: '503' }] })).to.deep.equal(['optimal']);
  });

  it('errors: any picture that could not be shown', async () => {
    expect(fired(await figures({ memory: 20 }, { errors: 2 }), healthy)).to.deep.equal(['errors']);
    expect(advise(await figures({ memory: 20 }, { errors: 2 }), healthy)[0]!.text).to.match(
      /^2 pictures could not be shown \(10\.0% of requests\)/,
    );
    expect(advise(await figures({}, { errors: 1 }), healthy)[0]!.text).to.match(
      /^1 picture could not be shown \(100\.0% of requests\)/,
    );
  });

  it('timing-hidden: pictures whose bytes the browser did not place', async () => {
    const m = await figures({ memory: 20 }, { sources: { unknown: 3, httpCache: 7 } });
    expect(fired(m, healthy)).to.deep.equal(['timing-hidden']);
    expect(advise(m, healthy)[0]!.text).to.match(
      /^The browser did not say where the bytes of 3 pictures came from: add Timing-Allow-Origin/,
    );
    expect(fired(await figures({ memory: 20 }, { sources: { httpCache: 10 } }), healthy)).to.deep.equal(['optimal']);
  });

  it('several rules at once, in order', async () => {
    const m = await figures({ network: 30 }, { errors: 1 });
    expect(
      fired(m, {
        ...healthy,
        indexedDB: false,
        serviceWorker: { state: 'none' },
        lookupBurst: { requests: 3, users: 30 },
      }),
    ).to.deep.equal(['cold-misses', 'indexeddb-off', 'no-service-worker', 'errors']);
  });

  it('every rule has a test here', () => {
    expect(Object.keys(rules)).to.deep.equal([
      'cold-misses',
      'indexeddb-off',
      'no-service-worker',
      'local-storage-full',
      'backend-hit-rate',
      'errors',
      'timing-hidden',
    ]);
  });
});
