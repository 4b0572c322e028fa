/**
 * Helpers both caches use, so they behave the same at the edges. Internal to `backend/cache/`.
 */
import type { PictureChangedEvent, PictureMeta } from '../../contract/picture.ts';
import type { CachedPicture } from './cache.ts';

/** Rejects a TTL that would cache nothing or forever: that is a caller's bug, better loud than a silent miss. */
export function checkTtl(ttlMs: number): void {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`cache.set: ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
  }
}

/** A counter increment: whole and not negative (Redis INCRBY takes integers only). */
export function toCount(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** A copy that shares nothing with `value`, frozen all through: nobody can change it. */
export function frozenCopy(value: CachedPicture): CachedPicture {
  if (value === null) return null;
  const variants = Object.freeze(value.variants.map((variant) => Object.freeze({ ...variant })));
  return Object.freeze({ ...value, variants: variants as PictureMeta['variants'] });
}

/** True for a well-formed cached lookup of `userId`: `null`, or that user's metadata. */
export function isCachedPicture(value: unknown, userId: string): value is CachedPicture {
  if (value === null) return true;
  if (typeof value !== 'object') return false;
  const meta = value as Partial<Record<keyof PictureMeta, unknown>>;
  return (
    meta.userId === userId &&
    typeof meta.version === 'string' &&
    typeof meta.url === 'string' &&
    typeof meta.contentType === 'string' &&
    typeof meta.bytes === 'number' &&
    typeof meta.expiresAt === 'number' &&
    // Entries cached before copies were made have none: a miss, read again from the storage.
    Array.isArray(meta.variants)
  );
}

/**
 * The value of a JSON text, or `undefined` when the text is not JSON (a Redis value or message this code did not
 * write).
 */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The event in a pub/sub message, or `undefined` when the message is not one. */
export function parseEvent(message: string): PictureChangedEvent | undefined {
  const value = parseJson(message);
  if (typeof value !== 'object' || value === null) return undefined;
  const { userId, version } = value as Record<string, unknown>;
  if (typeof userId !== 'string' || (version !== null && typeof version !== 'string')) return undefined;
  return { userId, version };
}

/** The default for a listener that throws: say so, and go on with the next one. */
export function reportListenerError(error: unknown): void {
  console.error('[events] a picture-changed listener threw:', error);
}

/**
 * The listeners of one event bus: what the memory and the Redis bus share between receiving an event and handing it
 * out.
 */
export interface Listeners {
  /** Adds `listener`; the returned function removes it again. */
  subscribe(listener: (event: PictureChangedEvent) => void): () => void;
  /**
   * Calls every listener with its own copy of `event`; one that throws is reported to `onError` and the rest still run.
   */
  deliver(event: PictureChangedEvent): void;
  /** Removes every listener. */
  clear(): void;
}

/**
 * The listener set behind `EventBus.subscribe`, so both buses subscribe and deliver alike.
 *
 * @example
 * const listeners = createListeners(onError);
 * const stop = listeners.subscribe((event) => console.log(event.userId));
 * listeners.deliver({ userId: 'ada', version: null });
 */
export function createListeners(onError: (error: unknown) => void): Listeners {
  // One wrapper per subscription, so subscribing the same function twice gives two independent subscriptions.
  const subscriptions = new Set<{ listener: (event: PictureChangedEvent) => void }>();
  return {
    subscribe(listener) {
      const subscription = { listener };
      subscriptions.add(subscription);
      return () => {
        subscriptions.delete(subscription);
      };
    },

    deliver(event) {
      // A snapshot, so a listener that (un)subscribes does not change who gets this event; a copy per listener,
      // so what one listener does to the event is not seen by the next.
      for (const { listener } of [...subscriptions]) {
        try {
          listener({ userId: event.userId, version: event.version });
        } catch (error) {
          onError(error);
        }
      }
    },

    clear() {
      subscriptions.clear();
    },
  };
}
