// Waiting in tests, in Node and in the browser alike: for a condition, never for a guessed time.

/**
 * Polls `check` every 20 ms until it answers a truthy value, and returns that value; fails with `what` after `ms`
 * (a function is asked then, so the failure can say what was last seen). A check that throws fails at once.
 */
export async function until<T>(
  check: () => T | Promise<T>,
  what: string | (() => string),
  ms = 10_000,
): Promise<NonNullable<T>> {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (performance.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(20);
  }
}

/**
 * Lets `ms` pass. Only for what has no event to await: proving that something does not happen within a time, or
 * letting a clock-based rule (an expiry, a rate) take effect.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
