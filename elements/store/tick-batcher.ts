/**
 * Collects the keys asked for during one task and resolves them with one call to `run` (in a microtask, so every
 * element connected in the same task joins). A key already in flight shares that call instead of starting another.
 */
export function createTickBatcher<V>(run: (keys: string[]) => Promise<Map<string, V>>): (key: string) => Promise<V> {
  const inflight = new Map<string, Promise<V>>();
  let pending: Map<string, { resolve: (v: V) => void; reject: (e: unknown) => void }> | undefined;

  async function flush(batch: NonNullable<typeof pending>): Promise<void> {
    try {
      const answers = await run([...batch.keys()]);
      for (const [key, { resolve, reject }] of batch) {
        if (answers.has(key)) resolve(answers.get(key)!);
        else reject(new Error(`no answer for ${key}`));
      }
    } catch (error) {
      for (const { reject } of batch.values()) reject(error);
    }
  }

  return function ask(key) {
    const running = inflight.get(key);
    if (running) return running;
    const promise = new Promise<V>((resolve, reject) => {
      if (!pending) {
        const batch = (pending = new Map());
        queueMicrotask(() => {
          pending = undefined;
          void flush(batch);
        });
      }
      pending.set(key, { resolve, reject });
    });
    inflight.set(key, promise);
    const settle = () => inflight.delete(key);
    promise.then(settle, settle);
    return promise;
  };
}
