/**
 * The IndexedDB layer's write queue: what waits to be written, and the one run at a time that writes it in idle
 * time; overlapping runs merge, as Workbox's expiration does (`_isRunning` / `_rerunRequested`).
 */
import { whenIdle } from '../idle.ts';
import type { BlobRecord, MetaRecord } from './indexeddb-connection.ts';

/** The longest a queued write waits for an idle moment. */
const IDLE_TIMEOUT_MS = 2_000;

/** Everything waiting for the next write. */
export interface Pending {
  /** Both stores are to be emptied before the rest is written. */
  cleared: boolean;
  /** `null`: delete that user's entry. */
  meta: Map<string, MetaRecord | null>;
  blobs: Map<string, BlobRecord>;
  /** Recency bumps: key → usedAt. */
  metaUsed: Map<string, number>;
  blobsUsed: Map<string, number>;
  /** Entries seen stale: userId → the time they were seen at. */
  expired: Map<string, number>;
}

function nothingPending(): Pending {
  return {
    cleared: false,
    meta: new Map(),
    blobs: new Map(),
    metaUsed: new Map(),
    blobsUsed: new Map(),
    expired: new Map(),
  };
}

/** Whether `pending` has nothing to write. */
export function isEmpty(pending: Pending): boolean {
  return (
    !pending.cleared &&
    !pending.meta.size &&
    !pending.blobs.size &&
    !pending.metaUsed.size &&
    !pending.blobsUsed.size &&
    !pending.expired.size
  );
}

/** The layer's write queue; see {@link writeQueue}. Its functions need no `this`. */
export interface WriteQueue {
  /** What the next run writes; the same object for the queue's life, its contents taken by each round. */
  readonly pending: Pending;
  /** Writes what is pending in the next idle moment, unless a run is due or going already. */
  schedule(): void;
  /**
   * Writes what is pending now, one batch per round, until nothing is; resolves when the last round has committed.
   * A call during a run joins it and gets the same promise.
   */
  drain(): Promise<void>;
  /** Drops what is pending and any idle run; `cleared`: the next run empties both stores first. */
  reset(cleared?: boolean): void;
}

/**
 * Queues writes for `write`, which writes one batch and settles when its transaction has (it must not reject).
 * Nothing is scheduled or written while `isOff()`.
 *
 * @example
 * const queue = writeQueue((batch) => connection.run('write', undefined, (db) => writeBatch(db, batch, policy)), () => connection.off);
 * queue.pending.blobs.set(version, record);
 * queue.schedule();
 */
export function writeQueue(write: (batch: Pending) => Promise<void>, isOff: () => boolean): WriteQueue {
  const pending = nothingPending();
  let cancelIdle: (() => void) | undefined;
  // Workbox's `_isRunning`; what is pending when a round ends is its `_rerunRequested`.
  let running: Promise<void> | undefined;

  function drain(): Promise<void> {
    cancelIdle?.();
    cancelIdle = undefined;
    running ??= (async () => {
      try {
        while (!isOff() && !isEmpty(pending)) {
          const batch = { ...pending };
          Object.assign(pending, nothingPending());
          await write(batch);
        }
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  function schedule(): void {
    if (isOff() || cancelIdle || running) return;
    cancelIdle = whenIdle(() => {
      cancelIdle = undefined;
      void drain();
    }, IDLE_TIMEOUT_MS);
  }

  function reset(cleared = false): void {
    Object.assign(pending, nothingPending(), { cleared });
    cancelIdle?.();
    cancelIdle = undefined;
  }

  return { pending, schedule, drain, reset };
}
