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
