/**
 * Keys answered per task: what each answer sets off (an element's render, its preview, its image's request) runs in
 * the task that answered it, so fifty answers in one task made one long task on a cold page of 50 pictures. In tasks
 * of ten (four side-by-side runs of 14-16): the longest task 136-176 -> 54-79 ms, the blocking time 87-152 -> 5-56
 * ms; the time to all decoded moved both ways (0.88-1.27x), no change the runs can tell.
 */
const PER_TASK = 10;

/**
 * Collects the keys asked for during one task and resolves them with one call to `run` (in a microtask, so every
 * element connected in the same task joins), {@link PER_TASK} keys a task. A key already in flight shares that call
 * instead of starting another.
 */
export function createTickBatcher<V>(run: (keys: string[]) => Promise<Map<string, V>>): (key: string) => Promise<V> {
  const inflight = new Map<string, Promise<V>>();
  let pending: Map<string, { resolve: (v: V) => void; reject: (e: unknown) => void }> | undefined;

  async function flush(batch: NonNullable<typeof pending>): Promise<void> {
    try {
      const answers = await run([...batch.keys()]);
      let given = 0;
      for (const [key, { resolve, reject }] of batch) {
        if (answers.has(key)) resolve(answers.get(key)!);
        else reject(new Error(`no answer for ${key}`));
        // A timer, the least code for a new task. A hidden tab may hold it (a second; a minute from the sixth group on,
        // after five minutes hidden), while nothing of the page is seen.
        if (!(++given % PER_TASK)) await new Promise((next) => setTimeout(next));
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
