/**
 * The IndexedDB layer's database: its shape, and its one connection, opened lazily in one place, forgotten when the
 * browser closes it or another connection asks to upgrade, and turned off when it cannot be opened (as idb-keyval's
 * store: "Safari sometimes likes to just close the connection").
 */
import { wrap } from 'idb';
import type { DBSchema, IDBPDatabase } from 'idb';
import type { CachedEntry } from '../entry.ts';

const DB_VERSION = 1;

/** Which picture is current for a user, and since when. */
export interface MetaRecord {
  userId: string;
  entry: CachedEntry;
  storedAt: number;
  usedAt: number;
}

/** A picture's bytes. */
export interface BlobRecord {
  version: string;
  blob: Blob;
  bytes: number;
  usedAt: number;
}

export interface PictureCacheSchema extends DBSchema {
  meta: { key: string; value: MetaRecord; indexes: { usedAt: number } };
  blobs: { key: string; value: BlobRecord; indexes: { usedAt: number } };
}

export type Db = IDBPDatabase<PictureCacheSchema>;

/** Logs in debug mode, and does nothing otherwise. */
export type Log = (message: string, ...details: unknown[]) => void;

export const noop = (): void => {};

/** The name of an error IndexedDB threw or rejected with, to tell a closed connection or a full disk apart. */
export function errorName(error: unknown): string | undefined {
  return error instanceof DOMException || error instanceof Error ? error.name : undefined;
}

/** The layer's one connection; see {@link lazyConnection}. `run` needs no `this`. */
export interface Connection {
  /** `true` once IndexedDB turned out to be missing or unusable: {@link Connection.run} then answers its fallback. */
  readonly off: boolean;
  /**
   * Runs `task` on the open database, opening it first if needed. A connection closed under the task is reopened
   * and the task run once more; any other failure is logged and answered with `fallback`, never thrown. With
   * `openWaitMs`, a database that has not opened within that long answers `fallback` (the open goes on, and the next
   * such call does not wait for it again until it has opened): for reads that a page waits on.
   */
  run<T>(what: string, fallback: T, task: (db: Db) => Promise<T>, openWaitMs?: number): Promise<T>;
}

/**
 * Opens `dbName` from `factory` on the first {@link Connection.run}, and again after the browser or another tab
 * closed it. A missing factory, a failed open or an upgrade blocked by another tab turns it off: `onOff` runs and
 * one warning says so.
 *
 * @example
 * const connection = lazyConnection(indexedDB, 'cached-profile-pictures', () => queue.reset(), console.log);
 * const count = await connection.run('count', 0, (db) => db.count('blobs'));
 */
export function lazyConnection(
  factory: IDBFactory | undefined,
  dbName: string,
  onOff: () => void,
  log: Log,
): Connection {
  let off = false;
  let connection: Promise<Db | undefined> | undefined;
  let current: Db | undefined;
  /** The open has outlasted a read's wait: reads answer without the database until it has opened. */
  let stalled = false;

  /** A missing capability: say so once, then every call is a miss or a no-op. */
  function turnOff(reason: string): void {
    if (off) return;
    off = true;
    onOff();
    console.warn(`[ImageCache] IndexedDB is off for this page: ${reason}. Pictures are cached without it.`);
  }

  if (!factory) turnOff('this browser offers no IndexedDB (private mode?)');

  /** Forgets a connection the browser or another tab closed, so the next call opens a new one. */
  function forget(db: Db): void {
    if (current !== db) return;
    current = undefined;
    connection = undefined;
  }

  // idb's openDB always uses the global factory; wrapping our own request keeps the injected factory honest.
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
    stalled = false;
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

  /**
   * The database, or `undefined` once `waitMs` have passed while it is still opening. An open can wait for good,
   * with no event: behind an upgrade or a deletion another tab does not finish (seen in Chromium with two pages of
   * the origin creating the database at once), or Safari 14.6's lost open (WebKit bug 226547).
   */
  function connectWithin(waitMs: number): Promise<Db | undefined> {
    const opening = connect();
    if (current || off) return opening;
    if (stalled) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // Reads that began waiting together time out together: one warning for them all.
        if (!stalled)
          console.warn(
            `[ImageCache] IndexedDB has not opened within ${waitMs} ms (another tab may hold it); pictures are looked up without it until it does.`,
          );
        stalled = true;
        resolve(undefined);
      }, waitMs);
      void opening.then((db) => {
        clearTimeout(timer);
        resolve(db);
      });
    });
  }

  async function run<T>(what: string, fallback: T, task: (db: Db) => Promise<T>, openWaitMs?: number): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const db = await (openWaitMs === undefined ? connect() : connectWithin(openWaitMs));
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

  return {
    get off() {
      return off;
    },
    run,
  };
}
