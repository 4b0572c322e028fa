import { wrap } from 'idb';
import type { DBSchema, IDBPDatabase, IDBPTransaction } from 'idb';
import { isEntryOf, type CachedEntry } from '../entry.ts';
import { whenIdle } from '../idle.ts';
import { isRasterType } from '../trusted.ts';

const DB_VERSION = 1;
const DAY_MS = 24 * 60 * 60_000;
/** Metadata records are a few hundred bytes: keep more of them than Blobs, so a version outlives its bytes. */
const ENTRIES_PER_PICTURE = 5;
/** The longest a queued write waits for an idle moment. */
const IDLE_TIMEOUT_MS = 2_000;

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

interface MetaRecord {
  userId: string;
  entry: CachedEntry;
  storedAt: number;
  usedAt: number;
}

interface BlobRecord {
  version: string;
  blob: Blob;
  bytes: number;
  usedAt: number;
}

interface PictureCacheSchema extends DBSchema {
  meta: { key: string; value: MetaRecord; indexes: { usedAt: number } };
  blobs: { key: string; value: BlobRecord; indexes: { usedAt: number } };
}

type Db = IDBPDatabase<PictureCacheSchema>;
type WriteTx = IDBPTransaction<PictureCacheSchema, ['meta', 'blobs'], 'readwrite'>;

/** Everything waiting for the next flush. */
interface Queue {
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

function emptyQueue(): Queue {
  return { cleared: false, meta: new Map(), blobs: new Map(), metaUsed: new Map(), blobsUsed: new Map(), expired: new Map() };
}

function isEmpty(queue: Queue): boolean {
  return !queue.cleared && !queue.meta.size && !queue.blobs.size && !queue.metaUsed.size && !queue.blobsUsed.size && !queue.expired.size;
}

function errorName(error: unknown): string | undefined {
  return error instanceof DOMException || error instanceof Error ? error.name : undefined;
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

const noop = (): void => {};

/** Older engines throw on reading `error` of a transaction that has not finished yet. */
function transactionError(tx: { readonly error: DOMException | null }): DOMException | null {
  try {
    return tx.error;
  } catch {
    return null;
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

  let off = false;
  let connection: Promise<Db | undefined> | undefined;
  let current: Db | undefined;
  let queue = emptyQueue();
  let cancelIdle: (() => void) | undefined;
  let running: Promise<void> | undefined;

  /** A missing capability: say so once, then every call is a miss or a no-op. */
  function turnOff(reason: string): void {
    if (off) return;
    off = true;
    queue = emptyQueue();
    cancelIdle?.();
    cancelIdle = undefined;
    console.warn(`[ImageCache] IndexedDB is off for this page: ${reason}. Pictures are cached without it.`);
  }

  if (!factory) turnOff('this browser offers no IndexedDB (private mode?)');

  /** Forgets a connection the browser or another tab closed, so the next call opens a new one. */
  function forget(db: Db): void {
    if (current !== db) return;
    current = undefined;
    connection = undefined;
  }

  // idb's openDB always uses the global factory; wrapping our own request keeps `options.indexedDB` honest.
  async function open(from: IDBFactory): Promise<Db> {
    const request = from.open(dbName, DB_VERSION);
    request.addEventListener('upgradeneeded', (event) => {
      const db = wrap(request.result) as unknown as Db;
      if (event.oldVersion < 1) {
        db.createObjectStore('meta', { keyPath: 'userId' }).createIndex('usedAt', 'usedAt');
        db.createObjectStore('blobs', { keyPath: 'version' }).createIndex('usedAt', 'usedAt');
      }
    });
    // An older version stays open in another tab and does not close: waiting could take forever.
    request.addEventListener('blocked', () => turnOff('an older version of its database is open in another tab'));
    const db = (await wrap(request)) as unknown as Db;
    if (off) {
      db.close();
      throw new DOMException('The layer was turned off while opening.', 'AbortError');
    }
    // `close` fires only when the browser ends the connection (storage cleared, disk error), never on db.close().
    db.addEventListener('close', () => forget(db));
    // Another connection wants to upgrade or delete the database: step aside, reopen on the next call.
    db.addEventListener('versionchange', () => {
      db.close();
      forget(db);
    });
    current = db;
    return db;
  }

  function connect(): Promise<Db | undefined> {
    if (off || !factory) return Promise.resolve(undefined);
    connection ??= open(factory).catch((error: unknown) => {
      turnOff(`its database could not be opened (${errorName(error) ?? String(error)})`);
      return undefined;
    });
    return connection;
  }

  /** Runs `task` on the connection; a failure is logged (debug) and answered with `fallback`, never thrown. */
  async function run<T>(what: string, fallback: T, task: (db: Db) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const db = await connect();
      if (!db) return fallback;
      try {
        return await task(db);
      } catch (error) {
        // A connection closed under us (db.close(), deleted storage) throws InvalidStateError on transaction().
        if (attempt === 1 && errorName(error) === 'InvalidStateError') {
          forget(db);
          continue;
        }
        log(`IndexedDB ${what} failed; answering without it`, error);
        return fallback;
      }
    }
  }

  function schedule(): void {
    if (off || cancelIdle || running) return;
    cancelIdle = whenIdle(() => {
      cancelIdle = undefined;
      void drain();
    }, IDLE_TIMEOUT_MS);
  }

  /**
   * Writes the queue, one transaction per round. A call during a round joins it, and the round loops until the
   * queue is empty: overlapping flushes merge, as Workbox's `_isRunning` / `_rerunRequested` do.
   */
  function drain(): Promise<void> {
    cancelIdle?.();
    cancelIdle = undefined;
    running ??= (async () => {
      try {
        while (!off && !isEmpty(queue)) {
          const batch = queue;
          queue = emptyQueue();
          await run('write', undefined, (db) => writeWithRetry(db, batch));
        }
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  async function writeWithRetry(db: Db, batch: Queue): Promise<void> {
    try {
      await write(db, batch);
    } catch (error) {
      if (errorName(error) !== 'QuotaExceededError') throw error;
      log('IndexedDB quota exceeded: evicting the older half of the Blobs and retrying once');
      await evictOlderHalf(db);
      await write(db, batch);
    }
  }

  /** The whole batch in one readwrite transaction over both stores; resolves when it commits. */
  async function write(db: Db, batch: Queue): Promise<void> {
    const tx: WriteTx = db.transaction(['meta', 'blobs'], 'readwrite');
    // Judged below through `await tx.done`; handled here so an early throw leaves no unhandled rejection.
    tx.done.catch(noop);
    const requests: Promise<unknown>[] = [];
    const track = (request: Promise<unknown>): void => {
      request.catch(noop);
      requests.push(request);
    };
    try {
      const meta = tx.objectStore('meta');
      const blobs = tx.objectStore('blobs');
      if (batch.cleared) {
        track(meta.clear());
        track(blobs.clear());
      }
      for (const [userId, record] of batch.meta) {
        if (!record) track(meta.delete(userId));
        else track(meta.put({ ...record, usedAt: Math.max(record.usedAt, batch.metaUsed.get(userId) ?? 0) }));
      }
      for (const [version, record] of batch.blobs) {
        track(blobs.put({ ...record, usedAt: Math.max(record.usedAt, batch.blobsUsed.get(version) ?? 0) }));
      }
      for (const [userId, usedAt] of batch.metaUsed) {
        if (batch.meta.has(userId)) continue;
        track(meta.get(userId).then((found) => (found && found.usedAt < usedAt ? meta.put({ ...found, usedAt }) : undefined)));
      }
      for (const [version, usedAt] of batch.blobsUsed) {
        if (batch.blobs.has(version)) continue;
        track(blobs.get(version).then((found) => (found && found.usedAt < usedAt ? blobs.put({ ...found, usedAt }) : undefined)));
      }
      for (const [userId, seenAt] of batch.expired) {
        if (batch.meta.has(userId)) continue;
        // Checked again: another tab may have stored a fresh entry since it was seen stale.
        track(meta.get(userId).then((found) => (found && !isFresh(found, seenAt) ? meta.delete(userId) : undefined)));
      }
      await Promise.all(requests);
      // Bounds are kept in the same transaction, so the stores are never over them after a commit.
      const evicted = batch.blobs.size ? await enforceBlobBounds(tx) : 0;
      const dropped = [...batch.meta.values()].some(Boolean) ? await enforceEntryBound(tx) : 0;
      await tx.done;
      log(`IndexedDB wrote ${batch.meta.size} entries and ${batch.blobs.size} Blobs; evicted ${evicted} Blobs and ${dropped} entries`);
    } catch (error) {
      // The transaction's own error is the cause (say QuotaExceededError at commit); a request's is often AbortError.
      const cause = transactionError(tx) ?? error;
      try {
        tx.abort();
      } catch {
        // Already finished.
      }
      throw cause;
    }
  }

  /** Least recently used out first, until both the count and the byte budget hold. */
  async function enforceBlobBounds(tx: WriteTx): Promise<number> {
    const store = tx.objectStore('blobs');
    const oldestFirst = await store.index('usedAt').getAll();
    let count = oldestFirst.length;
    let bytes = oldestFirst.reduce((sum, record) => sum + record.bytes, 0);
    const deletes: Promise<void>[] = [];
    for (const record of oldestFirst) {
      if (count <= maxPictures && bytes <= maxBytes) break;
      deletes.push(store.delete(record.version));
      count--;
      bytes -= record.bytes;
    }
    await Promise.all(deletes);
    return deletes.length;
  }

  async function enforceEntryBound(tx: WriteTx): Promise<number> {
    const store = tx.objectStore('meta');
    const excess = (await store.count()) - maxEntries;
    if (excess <= 0) return 0;
    const oldest = await store.index('usedAt').getAllKeys(undefined, excess);
    await Promise.all(oldest.map((userId) => store.delete(userId)));
    return oldest.length;
  }

  /** Frees room after a quota error; the quota is the whole origin's, so a decisive step rather than a precise one. */
  async function evictOlderHalf(db: Db): Promise<void> {
    const tx = db.transaction('blobs', 'readwrite');
    const done = tx.done;
    done.catch(noop);
    const oldestFirst = await tx.store.index('usedAt').getAllKeys();
    const victims = oldestFirst.slice(0, Math.ceil(oldestFirst.length / 2));
    await Promise.all([...victims.map((version) => tx.store.delete(version)), done]);
    log(`IndexedDB evicted ${victims.length} Blobs to make room`);
  }

  /** Which of `versions` have their bytes kept (queued or stored), in one transaction, without reading the bytes. */
  async function storedBlobs(versions: readonly string[]): Promise<Set<string>> {
    const found = new Set(versions.filter((version) => queue.blobs.has(version)));
    const rest = queue.cleared ? [] : versions.filter((version) => !found.has(version));
    if (off || !rest.length) return found;
    const keys = await run('Blob lookup', [] as (string | undefined)[], async (db) => {
      const tx = db.transaction('blobs', 'readonly');
      const [answer] = await Promise.all([Promise.all(rest.map((version) => tx.store.getKey(version))), tx.done]);
      return answer;
    });
    for (const key of keys) if (key !== undefined) found.add(key);
    return found;
  }

  const layer: IndexedDbLayer = {
    name: 'indexedDB',

    get enabled() {
      return !off;
    },

    async getMany(userIds, at) {
      const found = new Map<string, CachedEntry>();
      if (off) return found;
      const fresh = (record: MetaRecord) => isFresh(record, at);
      const toRead: string[] = [];
      for (const userId of new Set(userIds)) {
        const queued = queue.meta.get(userId);
        // Queued writes answer first: a put is visible before its flush, a delete hides what is stored.
        if (queued !== undefined) {
          if (queued && fresh(queued)) found.set(userId, queued.entry);
        } else if (!queue.cleared) {
          toRead.push(userId);
        }
      }
      if (toRead.length) {
        const records = await run('read', [] as (MetaRecord | undefined)[], async (db) => {
          const tx = db.transaction('meta', 'readonly');
          const [read] = await Promise.all([Promise.all(toRead.map((userId) => tx.store.get(userId))), tx.done]);
          return read;
        });
        records.forEach((record, i) => {
          const userId = toRead[i]!;
          // A malformed record is a miss, and goes in the next flush.
          if (record && !isEntryOf(userId, record.entry)) queue.meta.set(userId, null);
          else if (record && fresh(record)) found.set(userId, record.entry);
          else if (record) queue.expired.set(userId, at);
        });
      }
      for (const userId of new Set(userIds)) {
        if (found.has(userId)) {
          queue.metaUsed.set(userId, at);
          log(`IndexedDB HIT for user ${userId}`);
        } else {
          log(`IndexedDB MISS for user ${userId}`);
        }
      }
      if (!isEmpty(queue)) schedule();
      return found;
    },

    put(userId, entry) {
      if (off) return;
      const storedAt = now();
      queue.meta.set(userId, { userId, entry, storedAt, usedAt: storedAt });
      queue.expired.delete(userId);
      schedule();
    },

    async getBlob(version) {
      if (off) return undefined;
      const queued = queue.blobs.get(version);
      let blob = queued?.blob;
      if (!queued && !queue.cleared) {
        blob = await run('Blob read', undefined, async (db) => {
          const tx = db.transaction('blobs', 'readonly');
          const [record] = await Promise.all([tx.store.get(version), tx.done]);
          return record?.blob;
        });
      }
      // Only a raster image may become a `blob:` URL of the page's origin: an SVG or HTML one (written by another
      // script of the origin) would run script when opened.
      if (blob && !isRasterType(blob.type)) {
        log(`IndexedDB drops Blob ${version}: ${JSON.stringify(blob.type)} is not a raster image`);
        blob = undefined;
        void run('Blob delete', undefined, (db) => db.delete('blobs', version));
      }
      log(`IndexedDB ${blob ? 'HIT' : 'MISS'} for Blob ${version}`);
      if (blob && !off) {
        queue.blobsUsed.set(version, now());
        schedule();
      }
      return blob;
    },

    putBlob(version, blob) {
      if (off) return;
      if (!isRasterType(blob.type)) {
        log(`IndexedDB skips Blob ${version}: ${JSON.stringify(blob.type)} is not a raster image`);
        return;
      }
      if (blob.size > maxBytes) {
        log(`IndexedDB skips Blob ${version}: ${blob.size} bytes is over the ${maxBytes}-byte budget`);
        return;
      }
      queue.blobs.set(version, { version, blob, bytes: blob.size, usedAt: now() });
      schedule();
    },

    async keepBytes(pictures, fetcher) {
      if (off) return [];
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
      if (off) return Promise.resolve();
      queue.meta.set(userId, null);
      queue.metaUsed.delete(userId);
      queue.expired.delete(userId);
      // Through the queue, so it lands after any write of that user already on its way.
      return drain();
    },

    clear() {
      if (off) return Promise.resolve();
      queue = emptyQueue();
      queue.cleared = true;
      return drain();
    },

    flush: drain,

    byteSize() {
      return run('size', 0, async (db) => {
        const tx = db.transaction('blobs', 'readonly');
        const [records] = await Promise.all([tx.store.getAll(), tx.done]);
        return records.reduce((sum, record) => sum + record.bytes, 0);
      });
    },

    count() {
      return run('count', { entries: 0, blobs: 0 }, async (db) => {
        const tx = db.transaction(['meta', 'blobs'], 'readonly');
        const [entries, blobs] = await Promise.all([tx.objectStore('meta').count(), tx.objectStore('blobs').count(), tx.done]);
        return { entries, blobs };
      });
    },
  };
  return layer;
}
