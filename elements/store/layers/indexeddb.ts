import { isEntryOf, type CachedEntry } from '../entry.ts';
import { isRasterType } from '../trusted.ts';
import { lazyConnection, noop, type MetaRecord } from './indexeddb-connection.ts';
import {
  readBlob,
  readEntries,
  storedBytes,
  storedCount,
  storedVersions,
  writeBatch,
  type WritePolicy,
} from './indexeddb-model.ts';
import { isEmpty, writeQueue } from './indexeddb-queue.ts';

const DAY_MS = 24 * 60 * 60_000;
/** Metadata records are a few hundred bytes: keep more of them than Blobs, so a version outlives its bytes. */
const ENTRIES_PER_PICTURE = 5;
/**
 * How long a read the page waits on (a lookup, a stored Blob) waits for the database to open: an open still waiting
 * after a second is held (see `lazyConnection`), and the network answers sooner than it will.
 */
const OPEN_WAIT_MS = 1_000;

/** Options of {@link createIndexedDbLayer}. Every one has a default. */
export interface IndexedDbLayerOptions {
  /** Database name; tests use one per test. Default `'cached-profile-pictures'`. */
  dbName?: string;
  /** How long metadata may answer after it was stored. Default 7 days. */
  ttlMs?: number;
  /** At most this many Blobs (and five times as many metadata entries). Default 100. */
  maxPictures?: number;
  /** At most this many bytes of Blobs. Default 10 MiB. */
  maxBytes?: number;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
  /** Log hits, misses, writes and failures to the console (`[ImageCache] …`). Default `false`. */
  debug?: boolean;
  /**
   * The IndexedDB factory. Default `globalThis.indexedDB`; an explicit `undefined` is a browser without one
   * (private mode), which turns the layer off.
   */
  indexedDB?: IDBFactory | undefined;
}

/**
 * The page's persistent layer: which picture is current per user (7 days) and the pictures' bytes (LRU, bounded
 * by count and bytes). Reads answer from one transaction per call; writes are queued and written together in idle
 * time. It never rejects on a storage failure: a failed read is a miss, a failed write is dropped.
 */
export interface IndexedDbLayer {
  readonly name: 'indexedDB';
  /** `false` once IndexedDB turned out to be missing or unusable; every call is then a miss or a no-op. */
  readonly enabled: boolean;
  /** The fresh entries among `userIds`, read in one transaction; queued writes are seen too. */
  getMany(userIds: Iterable<string>, now: number): Promise<Map<string, CachedEntry>>;
  /** Queues the entry; it is written in the next flush. */
  put(userId: string, entry: CachedEntry): void;
  /** The stored bytes of `version`, or `undefined`; one that is not a raster image (trusted.ts) is dropped, a miss. */
  getBlob(version: string): Promise<Blob | undefined>;
  /** Queues the bytes of `version`; a Blob larger than `maxBytes`, or not a raster image, is not kept. */
  putBlob(version: string, blob: Blob): void;
  /**
   * Keeps what each picture's `url` answers (fetched with `fetcher`, which the HTTP cache answers for a picture just
   * shown) as the bytes of its `version`, unless that version's are kept already or it is not a raster image.
   * Answers the versions whose fetch failed, so they can be tried again.
   */
  keepBytes(pictures: readonly { version: string; url: string }[], fetcher: typeof fetch): Promise<string[]>;
  /** Forgets the user's metadata now (its Blob stays until evicted). */
  delete(userId: string): Promise<void>;
  /** Empties both stores now. */
  clear(): Promise<void>;
  /** Writes everything queued now, instead of in idle time (tests, `pagehide`). */
  flush(): Promise<void>;
  /** Bytes of the stored Blobs. */
  byteSize(): Promise<number>;
  /** How many metadata entries and Blobs are stored. */
  count(): Promise<{ entries: number; blobs: number }>;
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new RangeError(`createIndexedDbLayer: ${name} must be a positive number, got ${value}.`);
  }
  return value;
}

function defaultFactory(): IDBFactory | undefined {
  try {
    return globalThis.indexedDB ?? undefined;
  } catch {
    // Some browsers throw on access when storage is blocked for the page.
    return undefined;
  }
}

/**
 * Creates the IndexedDB layer. The connection opens lazily, on the first call that needs it.
 *
 * @example
 * const idb = createIndexedDbLayer({ debug: true });
 * const found = await idb.getMany(['ada', 'alan'], Date.now());
 * idb.put('ada', { meta, freshUntil: Date.now() + 7 * 86_400_000 });
 * addEventListener('pagehide', () => void idb.flush());
 */
export function createIndexedDbLayer(options: IndexedDbLayerOptions = {}): IndexedDbLayer {
  const dbName = options.dbName ?? 'cached-profile-pictures';
  if (!dbName) throw new TypeError('createIndexedDbLayer: dbName must not be empty.');
  const ttlMs = positive('ttlMs', options.ttlMs ?? 7 * DAY_MS);
  const maxPictures = positive('maxPictures', options.maxPictures ?? 100);
  const maxEntries = maxPictures * ENTRIES_PER_PICTURE;
  const maxBytes = positive('maxBytes', options.maxBytes ?? 10 * 1024 * 1024);
  const now = options.now ?? Date.now;
  // `in`: an explicit `undefined` means "no IndexedDB", not "the default".
  const factory = 'indexedDB' in options ? options.indexedDB : defaultFactory();
  const log = options.debug
    ? (message: string, ...details: unknown[]) => console.log(`[ImageCache] ${message}`, ...details)
    : noop;

  /** The layer's TTL, or the entry's own shorter one ("no picture" is asked again within minutes). */
  const isFresh = (record: MetaRecord, at: number) => Math.min(record.storedAt + ttlMs, record.entry.freshUntil) > at;

  const policy: WritePolicy = { blobs: { maxEntries: maxPictures, maxBytes }, maxEntries, isFresh, log };
  // The queue first: without IndexedDB the connection turns off as it is made, and turning off empties the queue.
  const writes = writeQueue(
    (batch) => connection.run('write', undefined, (db) => writeBatch(db, batch, policy)),
    () => connection.off,
  );
  const connection = lazyConnection(factory, dbName, () => writes.reset(), log);
  const { pending } = writes;

  /** Which of `versions` have their bytes kept (queued or stored), in one transaction, without reading the bytes. */
  async function storedBlobs(versions: readonly string[]): Promise<Set<string>> {
    const found = new Set(versions.filter((version) => pending.blobs.has(version)));
    const rest = pending.cleared ? [] : versions.filter((version) => !found.has(version));
    if (connection.off || !rest.length) return found;
    const keys = await connection.run('Blob lookup', [] as (string | undefined)[], (db) => storedVersions(db, rest));
    for (const key of keys) if (key !== undefined) found.add(key);
    return found;
  }

  const layer: IndexedDbLayer = {
    name: 'indexedDB',

    get enabled() {
      return !connection.off;
    },

    async getMany(userIds, at) {
      const found = new Map<string, CachedEntry>();
      if (connection.off) return found;
      const fresh = (record: MetaRecord) => isFresh(record, at);
      const toRead: string[] = [];
      for (const userId of new Set(userIds)) {
        const queued = pending.meta.get(userId);
        // Queued writes answer first: a put is visible before its flush, a delete hides what is stored.
        if (queued !== undefined) {
          if (queued && fresh(queued)) found.set(userId, queued.entry);
        } else if (!pending.cleared) {
          toRead.push(userId);
        }
      }
      if (toRead.length) {
        const records = await connection.run(
          'read',
          [] as (MetaRecord | undefined)[],
          (db) => readEntries(db, toRead),
          OPEN_WAIT_MS,
        );
        records.forEach((record, i) => {
          const userId = toRead[i]!;
          // A malformed record is a miss, and goes in the next flush.
          if (record && !isEntryOf(userId, record.entry)) pending.meta.set(userId, null);
          else if (record && fresh(record)) found.set(userId, record.entry);
          else if (record) pending.expired.set(userId, at);
        });
      }
      for (const userId of new Set(userIds)) {
        if (found.has(userId)) {
          pending.metaUsed.set(userId, at);
          log(`IndexedDB HIT for user ${userId}`);
        } else {
          log(`IndexedDB MISS for user ${userId}`);
        }
      }
      if (!isEmpty(pending)) writes.schedule();
      return found;
    },

    put(userId, entry) {
      if (connection.off) return;
      const storedAt = now();
      pending.meta.set(userId, { userId, entry, storedAt, usedAt: storedAt });
      pending.expired.delete(userId);
      writes.schedule();
    },

    async getBlob(version) {
      if (connection.off) return undefined;
      const queued = pending.blobs.get(version);
      let blob = queued?.blob;
      if (!queued && !pending.cleared)
        blob = await connection.run('Blob read', undefined, (db) => readBlob(db, version), OPEN_WAIT_MS);
      // Only a raster image may become a `blob:` URL of the page's origin: an SVG or HTML one (written by another
      // script of the origin) would run script when opened.
      if (blob && !isRasterType(blob.type)) {
        log(`IndexedDB drops Blob ${version}: ${JSON.stringify(blob.type)} is not a raster image`);
        blob = undefined;
        void connection.run('Blob delete', undefined, (db) => db.delete('blobs', version));
      }
      log(`IndexedDB ${blob ? 'HIT' : 'MISS'} for Blob ${version}`);
      if (blob && !connection.off) {
        pending.blobsUsed.set(version, now());
        writes.schedule();
      }
      return blob;
    },

    putBlob(version, blob) {
      if (connection.off) return;
      if (!isRasterType(blob.type)) {
        log(`IndexedDB skips Blob ${version}: ${JSON.stringify(blob.type)} is not a raster image`);
        return;
      }
      if (blob.size > maxBytes) {
        log(`IndexedDB skips Blob ${version}: ${blob.size} bytes is over the ${maxBytes}-byte budget`);
        return;
      }
      pending.blobs.set(version, { version, blob, bytes: blob.size, usedAt: now() });
      writes.schedule();
    },

    async keepBytes(pictures, fetcher) {
      if (connection.off) return [];
      const stored = await storedBlobs(pictures.map(({ version }) => version));
      const failed: string[] = [];
      for (const { version, url } of pictures) {
        if (stored.has(version)) continue;
        try {
          const res = await fetcher(url);
          if (res.ok) layer.putBlob(version, await res.blob());
        } catch (error) {
          failed.push(version);
          log(`IndexedDB could not keep the bytes of ${url}`, error);
        }
      }
      return failed;
    },

    delete(userId) {
      if (connection.off) return Promise.resolve();
      pending.meta.set(userId, null);
      pending.metaUsed.delete(userId);
      pending.expired.delete(userId);
      // Through the queue, so it lands after any write of that user already on its way.
      return writes.drain();
    },

    clear() {
      if (connection.off) return Promise.resolve();
      writes.reset(true);
      return writes.drain();
    },

    flush: writes.drain,

    byteSize: () => connection.run('size', 0, storedBytes),

    count: () => connection.run('count', { entries: 0, blobs: 0 }, storedCount),
  };
  return layer;
}
