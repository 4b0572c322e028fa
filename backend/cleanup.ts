import type { PictureStorage } from './storage/storage.ts';

/** What `startCleanup` sweeps, how often, and what it leaves. */
export interface CleanupOptions {
  storage: PictureStorage;
  /**
   * The time between the end of one sweep and the start of the next (`CLEANUP_INTERVAL_MS`); the first starts one
   * interval after this call.
   */
  intervalMs: number;
  /** Nothing younger than this is touched (`CLEANUP_GRACE_MS`). */
  graceMs: number;
  log?: Pick<Console, 'log' | 'warn'>;
}

/** A running cleanup. */
export interface Cleanup {
  /** Stops the sweeps: one running now stops at its next user, and is waited for. */
  stop(): Promise<void>;
}

/**
 * Sweeps the storage every `intervalMs`: what no pointer names goes once older than `graceMs` (replaced and removed
 * versions, uploads cut off before their commit, temp files). Every instance runs its own; sweeps hold no state and
 * remove idempotently, so several at once, or one cut off by a crash, are safe. A sweep that removed something says
 * so in one line; a failing one is logged once until a sweep succeeds again.
 *
 * @example
 * const cleanup = startCleanup({ storage, intervalMs: 600_000, graceMs: 7_200_000 });
 * await cleanup.stop();
 */
export function startCleanup(options: CleanupOptions): Cleanup {
  const { storage, intervalMs, graceMs, log = console } = options;
  const stopped = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> = Promise.resolve();
  let failing = false;

  async function sweepOnce(): Promise<void> {
    try {
      const { users, removed, skipped } = await storage.sweep({ graceMs, signal: stopped.signal });
      const total = removed.copy + removed.original + removed.unnamed + removed.temp;
      if (failing) log.warn('[cleanup] the storage is swept again');
      failing = false;
      if (total || skipped) {
        log.log(
          `[cleanup] removed ${total} objects no pointer names (${removed.copy} copies, ${removed.original} kept uploads, ` +
            `${removed.unnamed} markers, ${removed.temp} temp files) of ${users} users` +
            (skipped ? `; left ${skipped} users alone whose pointer cannot be read` : ''),
        );
      }
    } catch (error) {
      if (!failing)
        log.warn(`[cleanup] the sweep failed, and is tried again every ${intervalMs} ms: ${(error as Error).message}`);
      failing = true;
    }
  }

  function schedule(): void {
    timer = setTimeout(() => {
      running = sweepOnce().then(() => {
        if (!stopped.signal.aborted) schedule();
      });
    }, intervalMs);
  }

  schedule();
  return {
    async stop() {
      stopped.abort();
      clearTimeout(timer);
      await running;
    },
  };
}
