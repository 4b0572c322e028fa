/**
 * Runs `task` once the browser is idle, and after `timeoutMs` at the latest, so background writes never compete
 * with rendering. Returns a function that cancels the task if it has not run yet.
 *
 * @example
 * const cancel = whenIdle(() => void flushWrites(), 2_000);
 */
export function whenIdle(task: () => void, timeoutMs = 2_000): () => void {
  if (typeof requestIdleCallback === 'function') {
    const handle = requestIdleCallback(() => task(), { timeout: timeoutMs });
    return () => cancelIdleCallback(handle);
  }
  // Safari has no requestIdleCallback: a short timer still moves the work out of the current task and frame.
  const handle = setTimeout(task, Math.min(timeoutMs, 50));
  return () => clearTimeout(handle);
}
