import type { PictureMeta } from '../../contract/picture.ts';
import { whenIdle } from './idle.ts';
import type { IndexedDbLayer } from './layers/indexeddb.ts';

/** A page that has shown no new picture for this long is browsing what it has: its bytes are kept then. */
const KEEP_WHEN_QUIET_MS = 30_000;

/** The pictures' bytes kept in IndexedDB: what keeps them, and the object URLs that show them. */
export interface PictureBytes {
  /** An object URL for the version's stored Blob, shared and counted per caller; `undefined` when none is stored. */
  acquireBlobUrl(meta: PictureMeta): Promise<string | undefined>;
  /** One caller no longer shows it: the URL is revoked when nobody does. */
  releaseBlobUrl(meta: PictureMeta): void;
  /** The picture was shown from `url`: keep those bytes, once per version, when the page is hidden or quiet. */
  keepBytes(meta: PictureMeta, url: string): void;
  /** Keeps what `keepBytes` queued now; resolves once it is fetched and queued for writing. */
  keepBytesNow(): Promise<void>;
  /** The layers were emptied: a version kept before is kept again when next shown. */
  clear(): void;
  /** Object URLs alive now. */
  readonly objectUrls: number;
}

/**
 * The pictures' bytes, for a store: keeps the shown copy's bytes in `idb` for offline use and expired URLs, and
 * shows them through object URLs counted per caller, so one Blob makes one URL however many elements show it.
 * `closed` ends its listening to the page and its timer. The page's store takes it with the IndexedDB layer, in the
 * module fetched after the first frames (`lazyPictureBytes`): bytes are kept and shown only once pictures are.
 *
 * Bytes are kept only when the page is hidden or has shown no new picture for a while: the fetch is answered by the
 * HTTP cache, yet it replaces the decoded image in the page's memory cache, and the next element showing that
 * picture waits for a new decode (measured: 50 pictures shown again in the same page took 64–124 ms right after
 * being kept, 2–4 ms otherwise).
 *
 * @example
 * const bytes = createPictureBytes(idb, fetch, closed.signal);
 * bytes.keepBytes(meta, image.currentSrc); // kept after 30 s of quiet, or when the page is hidden
 * const url = await bytes.acquireBlobUrl(meta); // later, offline: `blob:…`; then bytes.releaseBlobUrl(meta)
 */
export function createPictureBytes(
  idb: Pick<IndexedDbLayer, 'enabled' | 'getBlob' | 'keepBytes'> | null,
  fetcher: typeof fetch,
  closed: AbortSignal,
): PictureBytes {
  const objectUrls = new Map<string, { url: string; users: number }>();
  /** Versions kept or queued: each is fetched once, ever. */
  const kept = new Set<string>();
  /** Versions whose bytes are to be kept, each with the URL of the copy the page showed. */
  const toKeep = new Map<string, { version: string; url: string }>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function keepBytesNow(): Promise<void> {
    clearTimeout(timer);
    if (!toKeep.size) return;
    const queued = [...toKeep.values()];
    toKeep.clear();
    // One that could not be fetched is kept when it is next shown.
    for (const version of await idb!.keepBytes(queued, fetcher)) kept.delete(version);
  }

  addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && void keepBytesNow(), {
    signal: closed,
  });
  closed.addEventListener('abort', () => clearTimeout(timer));

  return {
    async acquireBlobUrl(meta) {
      const shown = objectUrls.get(meta.version);
      if (shown) {
        shown.users++;
        return shown.url;
      }
      const blob = await idb?.getBlob(meta.version);
      if (!blob) return undefined;
      // Another caller may have made it while this one waited for IndexedDB.
      const raced = objectUrls.get(meta.version);
      if (raced) {
        raced.users++;
        return raced.url;
      }
      const url = URL.createObjectURL(blob);
      objectUrls.set(meta.version, { url, users: 1 });
      return url;
    },
    releaseBlobUrl(meta) {
      const shown = objectUrls.get(meta.version);
      if (!shown || --shown.users > 0) return;
      URL.revokeObjectURL(shown.url);
      objectUrls.delete(meta.version);
    },
    keepBytes(meta, url) {
      if (!idb?.enabled || kept.has(meta.version)) return;
      kept.add(meta.version);
      toKeep.set(meta.version, { version: meta.version, url });
      clearTimeout(timer);
      timer = setTimeout(() => whenIdle(() => void keepBytesNow()), KEEP_WHEN_QUIET_MS);
    },
    keepBytesNow,
    clear() {
      // Object URLs shown now stay valid: the elements showing them release them.
      kept.clear();
    },
    get objectUrls() {
      return objectUrls.size;
    },
  };
}
