// Which lookups the page sent at once, read from Resource Timing: a real store's requests against the real service,
// and entries written out for the timings a real page cannot be made to produce on cue.
import { expect } from '@esm-bundle/chai';
import { until } from '../../scripts/testing/wait.ts';
import { PictureStore } from '../store/picture-store.ts';
import { users } from '../testing/service.ts';
import { AT_ONCE_MS, surroundings, wastefulLookupBurst } from './surroundings.ts';

/** A store that remembers nothing between calls, so every `get` of a new user is a lookup. */
const bareStore = () => new PictureStore({ indexedDB: null, localStorage: null, broadcast: false });

/** The resource entries of lookups made since `performance.clearResourceTimings()`. */
const entries = () => performance.getEntriesByType('resource');

/** An entry for a lookup of `count` users starting at `startTime`. */
const lookup = (startTime: number, count: number) =>
  ({
    startTime,
    name: new URL(`/api/pictures?users=${users('e', count).join(',')}`, location.href).href,
  }) as PerformanceEntry;

describe('wastefulLookupBurst', () => {
  beforeEach(() => performance.clearResourceTimings());

  it('finds pictures shown at once but asked for in separate tasks, hence separate requests', async () => {
    const store = bareStore();
    let starts: number[] = [];
    // A machine busy with other work may run the three tasks further apart than anything shown at once: then it is
    // a scroll, not a burst, and the page is shown again (at most five times).
    for (let attempt = 0; attempt < 5; attempt++) {
      performance.clearResourceTimings();
      const ids = users('burst', 12);
      // Three parts of one render, each in its own task: the store batches per task.
      await Promise.all(
        [0, 1, 2].map(
          (part) =>
            new Promise<void>((done) =>
              setTimeout(() => {
                void Promise.all(ids.slice(part * 4, part * 4 + 4).map((id) => store.get(id))).then(() => done());
              }),
            ),
        ),
      );
      // A resource's entry is added when its load has finished in the network stack, which may come after the page
      // read the response.
      const lookups = await until(
        () => {
          const found = entries().filter((e) => e.name.includes('/api/pictures?users='));
          return found.length === 3 ? found : undefined;
        },
        () => `three lookups in Resource Timing (saw ${entries().length} entries)`,
      );
      starts = lookups.map((e) => e.startTime).sort((a, b) => a - b);
      if (starts[2]! - starts[1]! <= AT_ONCE_MS && starts[1]! - starts[0]! <= AT_ONCE_MS) break;
    }
    const started = starts.map((start) => start.toFixed(1)).join(', ');
    expect(wastefulLookupBurst(['/api'], entries()), `lookups started at ${started} ms`).to.deep.equal({
      requests: 3,
      users: 12,
    });
    expect((await surroundings([store])).lookupBurst, 'what the advice reads').to.deep.equal({
      requests: 3,
      users: 12,
    });
    store.close();
  });

  it('finds none when the same pictures were asked for in one request', async () => {
    const store = bareStore();
    await store.prefetch(users('together', 12));
    expect(entries().filter((e) => e.name.includes('/api/pictures?users=')).length).to.equal(1);
    expect(wastefulLookupBurst(['/api'], entries())).to.equal(undefined);
    expect((await surroundings([store])).lookupBurst).to.equal(undefined);
    store.close();
  });

  it('counts apart lookups a frame or more apart (a scroll), and needs no fewer requests than one per 100 users', () => {
    expect(wastefulLookupBurst(['/api'], [lookup(100, 11), lookup(900, 3), lookup(1500, 3)]), 'a slow scroll').to.equal(
      undefined,
    );
    expect(
      wastefulLookupBurst(['/api'], [lookup(100, 3), lookup(108.3, 3), lookup(116.6, 3)]),
      'a fling, a frame apart at 120 Hz',
    ).to.equal(undefined);
    expect(wastefulLookupBurst(['/api'], [lookup(100, 100), lookup(101, 50)]), '150 users need two').to.equal(
      undefined,
    );
    expect(
      wastefulLookupBurst(['/api'], [lookup(100, 2), lookup(104, 2), lookup(109, 2), lookup(900, 5), lookup(905, 5)]),
    ).to.deep.equal({ requests: 3, users: 6 });
    expect(wastefulLookupBurst(['/other-api'], [lookup(100, 2), lookup(101, 2)]), "another service's").to.equal(
      undefined,
    );
  });
});
