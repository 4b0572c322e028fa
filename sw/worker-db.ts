/**
 * The worker's IndexedDB database: what it knows of each cached picture (the bytes are in the Cache API), its
 * counters, and the uploads made offline. The only file of the worker that opens IndexedDB.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { PictureEntry } from './expiration.ts';

/** An upload kept while offline, as it will be sent again. */
export interface StoredUpload {
  id?: number;
  userId: string;
  url: string;
  method: string;
  headers: [string, string][];
  body: ArrayBuffer;
  queuedAt: number;
}

export interface WorkerSchema extends DBSchema {
  entries: { key: string; value: PictureEntry };
  counters: { key: string; value: number };
  uploads: { key: number; value: StoredUpload };
}

export type WorkerDb = IDBPDatabase<WorkerSchema>;

/** The default database's name. */
export const WORKER_DB_NAME = 'cached-profile-pictures-worker';

/**
 * Opens the database once, and again after the browser closed it (it may, for instance when storage is cleared).
 *
 * @example
 * const db = workerDb();
 * const uploads = await (await db()).getAll('uploads');
 */
export function workerDb(name = WORKER_DB_NAME): () => Promise<WorkerDb> {
  let opening: Promise<WorkerDb> | undefined;
  return () =>
    (opening ??= openDB<WorkerSchema>(name, 1, {
      upgrade(db) {
        db.createObjectStore('entries', { keyPath: 'key' });
        db.createObjectStore('counters');
        db.createObjectStore('uploads', { keyPath: 'id', autoIncrement: true });
      },
      terminated: () => (opening = undefined),
    }).catch((error: unknown) => {
      opening = undefined;
      throw error;
    }));
}
