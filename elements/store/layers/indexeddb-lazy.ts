import type { CachedEntry } from '../entry.ts';
import type { IndexedDbLayer, IndexedDbLayerOptions } from './indexeddb.ts';

/**
 * The IndexedDB layer, loaded on first use: it and `idb` are a fifth of the drop-in bundle, and a page whose
 * pictures memory and LocalStorage already know has no need of it in its first frames. The chunk's name carries
 * its hash, so browsers keep it for good and a reload fetches nothing.
 */
export function lazyIndexedDbLayer(options: IndexedDbLayerOptions = {}): IndexedDbLayer {
  let loaded: IndexedDbLayer | undefined;
  let loading: Promise<IndexedDbLayer> | undefined;
  const load = () => (loading ??= import('./indexeddb.ts').then(({ createIndexedDbLayer }) => (loaded = createIndexedDbLayer(options))));
  const later = (use: (layer: IndexedDbLayer) => void) => void load().then(use);
  // Fetched now, in parallel with the page's first frames, so the first lookup that needs it does not wait.
  void load();
  return {
    name: 'indexedDB',
    get enabled() {
      return loaded?.enabled ?? true;
    },
    getMany: async (userIds: Iterable<string>, now: number) => (await load()).getMany(userIds, now),
    put: (userId: string, entry: CachedEntry) => later((layer) => layer.put(userId, entry)),
    putBlob: (version: string, blob: Blob) => later((layer) => layer.putBlob(version, blob)),
    getBlob: async (version: string) => (await load()).getBlob(version),
    storedBlobs: async (versions: readonly string[]) => (await load()).storedBlobs(versions),
    delete: async (userId: string) => (await load()).delete(userId),
    clear: async () => (await load()).clear(),
    flush: async () => loaded?.flush(),
    byteSize: async () => (await load()).byteSize(),
    count: async () => (await load()).count(),
  };
}
