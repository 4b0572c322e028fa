/**
 * Shares one call per key among concurrent callers: while a call for `key` is in flight, later callers get
 * its promise instead of starting another (200 concurrent misses for one user make one storage read).
 */
export function createSingleFlight<T>(): (key: string, call: () => Promise<T>) => Promise<T> {
  const inflight = new Map<string, Promise<T>>();
  return function singleFlight(key, call) {
    const running = inflight.get(key);
    if (running) return running;
    const started = call().finally(() => inflight.delete(key));
    inflight.set(key, started);
    return started;
  };
}

/**
 * Runs calls for one key one after another, in arrival order; calls for different keys run concurrently.
 * Two uploads for one user then commit in order, and each removes the version the other replaced.
 */
export function createKeyedQueue(): <T>(key: string, call: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return function enqueue<T>(key: string, call: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const result = previous.then(call, call);
    const tail = result.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return result;
  };
}

/**
 * Runs at most `max` calls at once; later calls wait, in arrival order, for one to finish (a semaphore). Lookups'
 * storage reads go through one, so ten batches of 100 unknown users make 64 reads at a time, not 1,000.
 *
 * @example
 * const limit = createLimiter(64);
 * const stored = await limit(() => storage.current(userId));
 */
export function createLimiter(max: number): <T>(call: () => Promise<T>) => Promise<T> {
  if (!Number.isSafeInteger(max) || max < 1)
    throw new RangeError(`createLimiter: max must be a positive whole number (got ${max}).`);
  let running = 0;
  const waiting: (() => void)[] = [];
  return async function limit<T>(call: () => Promise<T>): Promise<T> {
    if (running < max) running++;
    // A finishing call hands its place straight to the first waiter, so `running` never drops below the calls in
    // flight.
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await call();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/** Gives back a place taken from an {@link Admission}; calling it again does nothing. */
export type Release = () => void;

/** Places for holders of something scarce (an open event stream, an upload's bytes), per client and in all. */
export interface Admission {
  /**
   * Takes a place for `client` costing `cost` of the total (default 1), or says which bound is full: `'client'`
   * when the client holds `perClient` places already, `'total'` when the cost does not fit. `client` undefined
   * (a request from inside the process) is bound by the total alone.
   */
  enter(client: string | undefined, cost?: number): Release | 'client' | 'total';
}

/**
 * Admits holders up to two bounds and refuses the rest at once, unlike {@link createLimiter}, which queues: a queued
 * upload or event stream would hold its connection and memory all the same. `perClient` counts places per client;
 * `total` bounds the sum of their costs (a count, or bytes). A cost above `total` is taken as `total`, so it is
 * admitted alone rather than never. `onChange` is told the cost held after every change (for a gauge).
 *
 * @example
 * const streams = createAdmission({ perClient: 16, total: 512 });
 * const release = streams.enter('203.0.113.7');
 * if (typeof release === 'function') stream.onEnd(release);
 */
export function createAdmission({
  perClient,
  total,
  onChange,
}: {
  perClient: number;
  total: number;
  onChange?: (held: number) => void;
}): Admission {
  for (const [name, value] of [
    ['perClient', perClient],
    ['total', total],
  ] as const) {
    if (!Number.isSafeInteger(value) || value < 1)
      throw new RangeError(`createAdmission: ${name} must be a positive whole number (got ${value}).`);
  }
  // Only clients holding a place have an entry, so the map is no bigger than what it bounds.
  const byClient = new Map<string, number>();
  let held = 0;
  return {
    enter(client, cost = 1) {
      const taken = Math.min(cost, total);
      const mine = client === undefined ? 0 : (byClient.get(client) ?? 0);
      if (client !== undefined && mine >= perClient) return 'client';
      if (held + taken > total) return 'total';
      held += taken;
      onChange?.(held);
      if (client !== undefined) byClient.set(client, mine + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        held -= taken;
        onChange?.(held);
        if (client === undefined) return;
        const left = byClient.get(client)! - 1;
        if (left > 0) byClient.set(client, left);
        else byClient.delete(client);
      };
    },
  };
}
