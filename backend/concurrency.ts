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
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`createLimiter: max must be a positive whole number (got ${max}).`);
  let running = 0;
  const waiting: (() => void)[] = [];
  return async function limit<T>(call: () => Promise<T>): Promise<T> {
    if (running < max) running++;
    // A finishing call hands its place straight to the first waiter, so `running` never drops below the calls in flight.
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
