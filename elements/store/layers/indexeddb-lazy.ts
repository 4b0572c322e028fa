import type { PictureMeta } from '../../../contract/picture.ts';
import type { CachedEntry } from '../entry.ts';
import type { PictureBytes } from '../picture-bytes.ts';
import type { IndexedDbLayer, IndexedDbLayerOptions } from './indexeddb.ts';

/**
 * What `make` makes of the module with the layer and the bytes (one fetch, however many ask: the browser keeps the
 * module), made on the first `load()`, once; `off(error)` instead when the module cannot be fetched. `made()` is it
 * once made, without waiting.
 */
function fromModule<T>(make: (module: typeof import('../indexeddb-module.ts')) => T, off: (error: Error) => T) {
  let made: T | undefined;
  let loading: Promise<T> | undefined;
  return {
    load: () => (loading ??= import('../indexeddb-module.ts').then(make, off).then((it) => (made = it))),
    made: () => made,
    started: () => !!loading,
  };
}

/**
 * The IndexedDB layer as the page uses it: all of it but `putBlob` and `byteSize`, which only tests and tools call
 * (on `createIndexedDbLayer`'s layer). Left out here, they cost the drop-in bundle nothing.
 */
export type PageIndexedDbLayer = Omit<IndexedDbLayer, 'putBlob' | 'byteSize'>;

/**
 * The IndexedDB layer as a module of its own, fetched as soon as a store is made, in parallel with the page's
 * first frames, which memory and LocalStorage serve without it. It and `idb` are a fifth of the drop-in code. The
 * module's name carries its hash, so browsers keep it for good and a reload fetches nothing.
 */
export function lazyIndexedDbLayer(options: IndexedDbLayerOptions = {}): PageIndexedDbLayer {
  const { load, made } = fromModule(
    ({ createIndexedDbLayer }) => createIndexedDbLayer(options),
    // A module that cannot be fetched (self-hosted without it, an old bundle after a deploy) turns the layer off.
    createIndexedDbLayerOff,
  );
  const later = (use: (layer: PageIndexedDbLayer) => void) => void load().then(use);
  // On a first visit there is no database yet: a lookup then goes to the network at once rather than after this
  // module has loaded and made one. That one was made is kept in LocalStorage, which answers at once, where asking
  // the browser (indexedDB.databases()) held a cold page's first lookup for 10-60 ms. Storage that cannot be read
  // tells nothing: the layer is asked.
  const marker = `cpp:idb:${options.dbName ?? 'cached-profile-pictures'}`;
  let existing = false;
  const exists = () => {
    try {
      return (existing ||= !!localStorage.getItem(marker));
    } catch {
      return true;
    }
  };
  // Fetched now, in parallel with the page's first frames, so the first lookup that needs it does not wait.
  void load();
  return {
    name: 'indexedDB',
    get enabled() {
      return made()?.enabled ?? true;
    },
    getMany: async (userIds: Iterable<string>, now: number) =>
      exists() ? (await load()).getMany(userIds, now) : new Map(),
    put: (userId: string, entry: CachedEntry) =>
      later((layer) => {
        layer.put(userId, entry);
        try {
          if (!existing && layer.enabled) localStorage.setItem(marker, '1');
        } catch {
          // Not kept: the next page asks the network first, once.
        }
        existing ||= layer.enabled;
      }),
    getBlob: async (version: string) => (await load()).getBlob(version),
    keepBytes: async (pictures: readonly { version: string; url: string }[], fetcher: typeof fetch) =>
      (await load()).keepBytes(pictures, fetcher),
    delete: async (userId: string) => (await load()).delete(userId),
    clear: async () => (await load()).clear(),
    flush: async () => made()?.flush(),
    count: async () => (await load()).count(),
  };
}

/**
 * The pictures' bytes (`createPictureBytes`) from the same module as the layer, as the store uses them: nothing
 * about them runs before a picture has been shown, so they need not be in the page's first script. Until the module
 * is there no object URL exists, so releasing one and counting them need not wait for it; what is asked meanwhile is
 * done in order once it is.
 */
export function lazyPictureBytes(
  idb: PageIndexedDbLayer | null,
  fetcher: typeof fetch,
  closed: AbortSignal,
): PictureBytes {
  // A module that cannot be fetched has already turned the layer off: with no layer, no bytes are kept or shown.
  const { load, made, started } = fromModule(
    ({ createPictureBytes }) => createPictureBytes(idb, fetcher, closed),
    () => undefined,
  );
  return {
    acquireBlobUrl: async (meta: PictureMeta) => (idb ? (await load())?.acquireBlobUrl(meta) : undefined),
    releaseBlobUrl: (meta: PictureMeta) => made()?.releaseBlobUrl(meta),
    keepBytes: (meta: PictureMeta, url: string) =>
      void (idb?.enabled && load().then((bytes) => bytes?.keepBytes(meta, url))),
    keepBytesNow: async () => void (idb && (await (await load())?.keepBytesNow())),
    clear: () => void (started() && load().then((bytes) => bytes?.clear())),
    get objectUrls() {
      return made()?.objectUrls ?? 0;
    },
  };
}

/** A layer that is off: every read a miss, every write dropped, with one warning. */
function createIndexedDbLayerOff(error: Error): PageIndexedDbLayer {
  console.warn(`[ImageCache] IndexedDB is off for this page: its module could not be loaded (${error.message}).`);
  const nothing = async () => undefined;
  return {
    name: 'indexedDB',
    enabled: false,
    getMany: async () => new Map(),
    put: nothing,
    getBlob: nothing,
    keepBytes: async () => [],
    delete: nothing,
    clear: nothing,
    flush: nothing,
    count: async () => ({ entries: 0, blobs: 0 }),
  };
}
