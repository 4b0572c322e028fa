import { isEntryOf, type CachedEntry } from '../entry.ts';
import type { SyncLayer } from './layer.ts';

/** Our keys start with this, so eviction never touches the site's own entries. */
const PREFIX = 'cpp:v1:';

export interface LocalStorageLayerOptions {
  /** Default: `globalThis.localStorage`; `null` turns the layer off (as a page without storage would). */
  storage?: Storage | null;
  log?: (message: string) => void;
  /** Keeps apart what two image services say of the same user id (the store passes its api base). */
  namespace?: string;
}

/**
 * Metadata in LocalStorage, so a reload knows every picture without a request. Entries are small (never image
 * bytes). A corrupt entry is dropped and is a miss; a full quota evicts our oldest entries and retries once.
 */
export function createLocalStorageLayer(options: LocalStorageLayerOptions = {}): SyncLayer {
  const storage = options.storage === undefined ? availableStorage('localStorage') : options.storage;
  const log = options.log ?? (() => {});
  const mine = `${PREFIX}${options.namespace ?? ''}:`;

  function keysStartingWith(prefix: string): string[] {
    const keys: string[] = [];
    for (let i = 0; i < storage!.length; i++) {
      const key = storage!.key(i);
      if (key?.startsWith(prefix)) keys.push(key);
    }
    return keys;
  }

  /** Removes the older half of our entries (by when they stop being fresh). */
  function evictOldest(): void {
    const dated = keysStartingWith(PREFIX).map((key) => ({
      key,
      until: Number((parse(storage!.getItem(key)) as Partial<CachedEntry> | null | undefined)?.freshUntil) || 0,
    }));
    dated.sort((a, b) => a.until - b.until);
    for (const { key } of dated.slice(0, Math.max(1, Math.ceil(dated.length / 2)))) storage!.removeItem(key);
  }

  return {
    name: 'localStorage',
    get(userId, now) {
      if (!storage) return undefined;
      let text: string | null;
      try {
        text = storage.getItem(mine + userId);
      } catch {
        return undefined;
      }
      if (text === null) return undefined;
      const entry = parse(text);
      if (!isEntryOf(userId, entry)) {
        log(`[ImageCache] LocalStorage entry for user ${userId} is corrupt; dropped`);
        storage.removeItem(mine + userId);
        return undefined;
      }
      if (entry.freshUntil <= now) {
        storage.removeItem(mine + userId);
        return undefined;
      }
      return entry;
    },
    put(userId, entry) {
      if (!storage) return;
      const text = JSON.stringify(entry);
      try {
        storage.setItem(mine + userId, text);
      } catch (error) {
        if (!isQuotaError(error)) return log(`[ImageCache] LocalStorage write failed: ${(error as Error).message}`);
        evictOldest();
        try {
          storage.setItem(mine + userId, text);
        } catch {
          log(`[ImageCache] LocalStorage is full even after eviction; user ${userId} not stored`);
        }
      }
    },
    delete(userId) {
      storage?.removeItem(mine + userId);
    },
    clear() {
      if (storage) for (const key of keysStartingWith(mine)) storage.removeItem(key);
    },
  };
}

/**
 * The page's LocalStorage or sessionStorage, or `null` where reading it throws (some privacy modes, sandboxed frames).
 */
export function availableStorage(name: 'localStorage' | 'sessionStorage'): Storage | null {
  try {
    return globalThis[name] ?? null;
  } catch {
    return null;
  }
}

function isQuotaError(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'QuotaExceededError' || error.code === 22);
}

/** The stored value, or `undefined` when there is none or the text is not JSON. */
function parse(text: string | null): unknown {
  try {
    return text === null ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
