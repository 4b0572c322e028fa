// The monitor in Chromium, fed by real stores and elements against the real image service. Pictures here are
// cross-origin to the test page (the service names its own origin), told apart through the Timing-Allow-Origin the
// service sends; elements/monitor/session.node.test.ts serves them same-origin and checks the network and HTTP-cache
// attribution, and the reload, exactly.
import { expect } from '@esm-bundle/chai';
import { PictureStore as Store, type PictureStore } from '../store/picture-store.ts';
import { hostileApi } from '../testing/hostile.ts';
import { seed, users } from '../testing/service.ts';
import { warnings } from '../testing/warnings.ts';
import { CachePerformanceMonitor, MONITOR_KEY } from './monitor.ts';
import { pageMonitor } from './page-monitor.ts';
import { HISTORY_POINTS, SAMPLES } from './state.ts';
import { provider, providing, showPictures } from './testing/show-pictures.ts';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('it did not reject');
}

/** A monitor with figures from a real store: `count` users resolved from the network, then again from memory. */
async function busyMonitor(count: number, storage: Storage | null = null): Promise<CachePerformanceMonitor> {
  const monitor = new CachePerformanceMonitor(storage);
  const store = new Store({ monitor, indexedDB: null, localStorage: null, broadcast: false });
  const ids = users('busy', count);
  await store.prefetch(ids);
  await store.prefetch(ids);
  store.close();
  return monitor;
}

/** Fills sessionStorage until it refuses more; answers the function that frees it again. */
function fillSessionStorage(): () => void {
  const chunk = 'x'.repeat(256 * 1024);
  let i = 0;
  try {
    for (; i < 100; i++) sessionStorage.setItem(`filler-${i}`, chunk);
  } catch {
    // Full: what the test wanted.
  }
  let small = 0;
  try {
    for (; small < 1000; small++) sessionStorage.setItem(`filler-small-${small}`, 'x'.repeat(1024));
  } catch {
    // Full to the last KB.
  }
  return () => {
    for (let j = 0; j <= i; j++) sessionStorage.removeItem(`filler-${j}`);
    for (let j = 0; j <= small; j++) sessionStorage.removeItem(`filler-small-${j}`);
  };
}

describe('CachePerformanceMonitor', () => {
  afterEach(() => {
    for (const element of document.querySelectorAll('picture-store-provider')) element.remove();
    sessionStorage.removeItem(MONITOR_KEY);
    pageMonitor().clear();
  });

  it("is the page's window.cacheMonitor, and the provider's store feeds it", () => {
    expect(window.cacheMonitor).to.equal(pageMonitor());
    const element = provider() as HTMLElement & { store: PictureStore };
    expect(pageMonitor().stores.has(element.store)).to.equal(true);
  });

  it('counts 50 pictures shown cold, then the same 50 again, exactly', async () => {
    const ids = users('monitor', 50);
    const metas = await seed(ids);
    const monitor = pageMonitor();
    monitor.clear();
    const host = provider();

    expect(await showPictures(host, ids)).to.deep.equal({ loaded: 50, failed: 0 });
    let m = await monitor.getMetrics();
    expect([m.requests, m.hits, m.hitRate, m.loads, m.errors, m.stale]).to.deep.equal([50, 0, 0, 50, 0, 0]);
    expect(m.layers.network.hits).to.equal(50);
    expect([m.sources.network.hits, m.sources.unknown.hits]).to.deep.equal(
      [50, 0],
      'cross-origin, told by Timing-Allow-Origin',
    );
    expect(m.bytesSaved).to.equal(0);

    host.replaceChildren();
    expect(await showPictures(host, ids)).to.deep.equal({ loaded: 50, failed: 0 });
    m = await monitor.getMetrics();
    expect([m.requests, m.hits, m.hitRate, m.loads]).to.deep.equal([100, 50, 0.5, 100]);
    expect(m.layers.memory.hits).to.equal(50);
    expect(m.layers.memory.share).to.equal(0.5);
    expect(m.sources.memoryCache.hits).to.equal(50, 'the page had every image decoded already');
    expect(m.bytesSaved).to.equal(metas.reduce((sum, meta) => sum + meta.bytes, 0));
    expect(m.history.map((p) => p.hitRate)).to.deep.equal([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(m.period!.end).to.be.at.least(m.period!.start);
    for (const layer of [m.layers.memory, m.layers.network, m.sources.memoryCache]) {
      expect(layer.medianMs).to.be.at.most(layer.p95Ms!);
      expect(layer.meanMs).to.be.a('number');
    }
    expect(m.layers.indexedDB).to.deep.equal({ hits: 0, share: 0, meanMs: null, medianMs: null, p95Ms: null });
  });

  it('counts a picture whose image fails, and a refused id, as errors', async () => {
    const [id] = users('gone', 1);
    const monitor = new CachePerformanceMonitor();
    // A service whose copies do not decode (served as HTML): the version the store knows fails to load, and no Blob
    // was kept. (Deleting a picture no longer fails its URL at once: the service keeps the bytes until its sweep.)
    const store = new Store({
      monitor,
      apiBase: await hostileApi('html-bytes'),
      indexedDB: null,
      localStorage: null,
      broadcast: false,
    });
    await store.get(id!);
    monitor.clear();

    const host = providing(store);
    expect(await showPictures(host, [id!])).to.deep.equal({ loaded: 0, failed: 1 });
    host.remove();
    expect((await rejection(store.get('not a valid id!'))).message).to.match(/Invalid user id/);
    const m = await monitor.getMetrics();
    expect([m.errors, m.requests, m.layers.memory.hits, m.loads]).to.deep.equal([2, 1, 1, 0]);
    store.close();
  });

  it('counts an answer whose URL is about to expire as a stale serve', async () => {
    const [id] = users('stale', 1);
    await seed([id!]);
    const monitor = new CachePerformanceMonitor();
    // Two hours ahead, every URL the service hands out (60 minutes) is past its usable life.
    const store = new Store({
      monitor,
      indexedDB: null,
      localStorage: null,
      broadcast: false,
      now: () => Date.now() + 2 * 3_600_000,
    });
    const answer = await store.get(id!);
    expect(answer.urlUsable).to.equal(false);
    expect((await monitor.getMetrics()).stale).to.equal(1);
    store.close();
  });

  it('tells subscribers once per task, not once per picture, and stops when unsubscribed', async () => {
    const monitor = new CachePerformanceMonitor();
    let calls = 0;
    const unsubscribe = monitor.subscribe(() => calls++);
    for (let i = 0; i < 50; i++) monitor.record({ userId: `u${i}`, layer: 'memory', ms: 0.1 });
    await Promise.resolve();
    expect(calls).to.equal(1);
    unsubscribe();
    monitor.record({ userId: 'u', layer: 'memory', ms: 0.1 });
    await Promise.resolve();
    expect(calls).to.equal(1);
  });

  it('export() gives JSON a script reads, and restore() of it gives the same figures', async () => {
    const monitor = await busyMonitor(30);
    const json = await monitor.export();
    const report = JSON.parse(json);
    expect(report.schema).to.equal(1);
    expect(Date.parse(report.exportedAt)).to.be.closeTo(Date.now(), 60_000);
    expect(report.metrics).to.deep.equal(await monitor.getMetrics());
    expect(report.metrics.requests).to.equal(60);

    const copy = new CachePerformanceMonitor();
    await copy.restore(json);
    expect(await copy.getMetrics()).to.deep.equal(await monitor.getMetrics());
    expect(JSON.parse(await copy.export()).state).to.deep.equal(report.state);
  });

  it('restore() refuses what is not an export, with the reason, and keeps its figures', async () => {
    const monitor = await busyMonitor(10);
    const before = await monitor.getMetrics();
    const good = JSON.parse(await monitor.export());
    const cases: Array<[string, RegExp]> = [
      ['{not json', /not JSON/],
      [JSON.stringify({ ...good, schema: 2 }), /schema is 2, not 1/],
      [JSON.stringify({ ...good, state: { ...good.state, errors: -1 } }), /errors/],
      [
        JSON.stringify({ ...good, state: { ...good.state, layers: { ...good.state.layers, memory: { count: 1 } } } }),
        /layers\.memory\.totalMs/,
      ],
      [JSON.stringify({ ...good, state: { ...good.state, sources: null } }), /sources/],
      [
        JSON.stringify({ ...good, state: { ...good.state, history: [{ at: 1, requests: 'x', hits: 0 }] } }),
        /history\[0\]\.requests/,
      ],
      [
        JSON.stringify({
          ...good,
          state: { ...good.state, history: Array(HISTORY_POINTS + 1).fill({ at: 1, requests: 1, hits: 0 }) },
        }),
        /history/,
      ],
    ];
    for (const [text, reason] of cases) {
      const error = await rejection(monitor.restore(text));
      expect(error.message).to.match(/^Not a cache monitor export: /);
      expect(error.message).to.match(reason);
    }
    expect(await monitor.getMetrics()).to.deep.equal(before);
  });

  it('keeps its figures across a reload in sessionStorage, and stays a few KB however long the session', async () => {
    const monitor = await busyMonitor(20, sessionStorage);
    for (let i = 0; i < 5_000; i++)
      monitor.record({
        userId: 'u',
        layer: i % 2 ? 'memory' : 'network',
        ms: i % 7,
        source: i % 3 ? undefined : 'httpCache',
        bytesSaved: 10,
      });
    monitor.save();
    const stored = sessionStorage.getItem(MONITOR_KEY)!;
    expect(stored.length).to.be.below(20_000);

    const reloaded = new CachePerformanceMonitor(sessionStorage);
    const m = await reloaded.getMetrics();
    expect(m).to.deep.equal(await monitor.getMetrics());
    expect(m.history).to.have.length(HISTORY_POINTS);
    const state = JSON.parse(await reloaded.export()).state;
    expect(state.layers.network.samples).to.have.length(SAMPLES);
  });

  it('a corrupt or altered sessionStorage entry is reported and counting starts from zero', async () => {
    const monitor = await busyMonitor(5, sessionStorage);
    monitor.save();
    const stored = sessionStorage.getItem(MONITOR_KEY)!;
    for (const bad of [
      'garbage',
      stored.replace('"errors":0', '"errors":7'),
      stored.slice(0, -10),
      `9${stored.slice(1)}`,
    ]) {
      sessionStorage.setItem(MONITOR_KEY, bad);
      let fresh: CachePerformanceMonitor | undefined;
      const said = await warnings(() => (fresh = new CachePerformanceMonitor(sessionStorage)));
      expect(said.join('\n')).to.match(/figures kept before the reload are unreadable/);
      expect((await fresh!.getMetrics()).requests).to.equal(0);
      fresh!.record({ userId: 'u', layer: 'memory', ms: 1 });
      fresh!.save();
      expect((await new CachePerformanceMonitor(sessionStorage).getMetrics()).requests).to.equal(
        1,
        'the next save is readable',
      );
    }
  });

  it('a full sessionStorage is reported once, and the figures are still counted and kept once there is room', async () => {
    const monitor = await busyMonitor(5, sessionStorage);
    sessionStorage.removeItem(MONITOR_KEY);
    const free = fillSessionStorage();
    try {
      const said = await warnings(() => {
        monitor.save();
        monitor.save();
      });
      expect(said).to.have.length(1);
      expect(said[0]).to.match(/figures not kept for a reload: .*quota/i);
      monitor.record({ userId: 'u', layer: 'memory', ms: 1 });
      expect((await monitor.getMetrics()).requests).to.equal(11);
    } finally {
      free();
    }
    monitor.save();
    expect((await new CachePerformanceMonitor(sessionStorage).getMetrics()).requests).to.equal(11);
  });

  it('clear() forgets every figure, here and in sessionStorage', async () => {
    const monitor = await busyMonitor(5, sessionStorage);
    monitor.save();
    monitor.clear();
    expect((await monitor.getMetrics()).requests).to.equal(0);
    expect((await monitor.getMetrics()).period).to.equal(null);
    expect(sessionStorage.getItem(MONITOR_KEY)).to.equal(null);
  });

  it('logSummary() prints the report with the real figures', async () => {
    const monitor = await busyMonitor(20);
    const printed: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => printed.push(args.join(' '));
    let text: string;
    try {
      text = await monitor.logSummary();
    } finally {
      console.log = log;
    }
    expect(printed).to.deep.equal([text]);
    expect(text).to.match(/^🎯 Profile Picture Cache Performance Report\n {3}Period: .+ - .+ \(0\.\d\dh\)/);
    expect(text).to.include('Total Requests: 40');
    expect(text).to.include('Cache Hit Rate: 50.0%');
    expect(text).to.include('Memory: 20 hits (50.0%)');
    expect(text).to.include('Network: 20 hits (50.0%)');
    expect(text).to.match(/💡 Recommendations:\n {6}1\. /);
  });
});
