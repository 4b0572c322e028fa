/**
 * Every transaction of the IndexedDB layer (as Workbox's CacheTimestampsModel): reads in one transaction per call,
 * and a queued batch written in one, with the bounds kept inside it and a full disk retried once.
 */
import type { IDBPTransaction } from 'idb';
import { toFit, type Bounds } from './eviction.ts';
import {
  errorName,
  noop,
  type Db,
  type Log,
  type MetaRecord,
  type PictureCacheSchema,
} from './indexeddb-connection.ts';
import type { Pending } from './indexeddb-queue.ts';

type WriteTx = IDBPTransaction<PictureCacheSchema, ['meta', 'blobs'], 'readwrite'>;

/** What a write keeps to. */
export interface WritePolicy {
  /** The Blobs' bounds. */
  blobs: Bounds;
  /** At most this many metadata entries. */
  maxEntries: number;
  /** Whether a stored entry still answers at `at`; one seen stale is deleted only if it still is. */
  isFresh(record: MetaRecord, at: number): boolean;
  log: Log;
}

/** The stored records of `userIds`, in their order, read in one transaction. */
export async function readEntries(db: Db, userIds: readonly string[]): Promise<(MetaRecord | undefined)[]> {
  const tx = db.transaction('meta', 'readonly');
  const [read] = await Promise.all([Promise.all(userIds.map((userId) => tx.store.get(userId))), tx.done]);
  return read;
}

/** The stored bytes of `version`, or `undefined`. */
export async function readBlob(db: Db, version: string): Promise<Blob | undefined> {
  const tx = db.transaction('blobs', 'readonly');
  const [record] = await Promise.all([tx.store.get(version), tx.done]);
  return record?.blob;
}

/** Which of `versions` have bytes stored (each key, or `undefined`), in one transaction, without reading the bytes. */
export async function storedVersions(db: Db, versions: readonly string[]): Promise<(string | undefined)[]> {
  const tx = db.transaction('blobs', 'readonly');
  const [keys] = await Promise.all([Promise.all(versions.map((version) => tx.store.getKey(version))), tx.done]);
  return keys;
}

/** Bytes of the stored Blobs. */
export async function storedBytes(db: Db): Promise<number> {
  const tx = db.transaction('blobs', 'readonly');
  const [records] = await Promise.all([tx.store.getAll(), tx.done]);
  return records.reduce((sum, record) => sum + record.bytes, 0);
}

/** How many metadata entries and Blobs are stored. */
export async function storedCount(db: Db): Promise<{ entries: number; blobs: number }> {
  const tx = db.transaction(['meta', 'blobs'], 'readonly');
  const [entries, blobs] = await Promise.all([
    tx.objectStore('meta').count(),
    tx.objectStore('blobs').count(),
    tx.done,
  ]);
  return { entries, blobs };
}

/**
 * Writes `batch` in one readwrite transaction over both stores, within the policy's bounds; resolves when it
 * commits. A full disk (QuotaExceededError) evicts the older half of the Blobs and tries once more; a second
 * failure, or any other, rejects.
 */
export async function writeBatch(db: Db, batch: Pending, policy: WritePolicy): Promise<void> {
  try {
    await write(db, batch, policy);
  } catch (error) {
    if (errorName(error) !== 'QuotaExceededError') throw error;
    policy.log('IndexedDB quota exceeded: evicting the older half of the Blobs and retrying once');
    await evictOlderHalf(db, policy.log);
    await write(db, batch, policy);
  }
}

/** Older engines throw on reading `error` of a transaction that has not finished yet. */
function transactionError(tx: { readonly error: DOMException | null }): DOMException | null {
  try {
    return tx.error;
  } catch {
    return null;
  }
}

async function write(db: Db, batch: Pending, policy: WritePolicy): Promise<void> {
  const tx: WriteTx = db.transaction(['meta', 'blobs'], 'readwrite');
  // Judged below through `await tx.done`; handled here so an early throw leaves no unhandled rejection.
  tx.done.catch(noop);
  try {
    await Promise.all(request(tx, batch, policy.isFresh));
    // Bounds are kept in the same transaction, so the stores are never over them after a commit.
    const evicted = batch.blobs.size ? await keepBlobBounds(tx, policy.blobs) : 0;
    const dropped = [...batch.meta.values()].some(Boolean) ? await keepEntryBound(tx, policy.maxEntries) : 0;
    await tx.done;
    policy.log(
      `IndexedDB wrote ${batch.meta.size} entries and ${batch.blobs.size} Blobs; evicted ${evicted} Blobs and ${dropped} entries`,
    );
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

/** Issues the batch's requests on `tx`; each is handled as it is made, so a throw part way leaves none unhandled. */
function request(tx: WriteTx, batch: Pending, isFresh: WritePolicy['isFresh']): Promise<unknown>[] {
  const requests: Promise<unknown>[] = [];
  const track = (request: Promise<unknown>): void => {
    request.catch(noop);
    requests.push(request);
  };
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
    track(
      meta.get(userId).then((found) => (found && found.usedAt < usedAt ? meta.put({ ...found, usedAt }) : undefined)),
    );
  }
  for (const [version, usedAt] of batch.blobsUsed) {
    if (batch.blobs.has(version)) continue;
    track(
      blobs
        .get(version)
        .then((found) => (found && found.usedAt < usedAt ? blobs.put({ ...found, usedAt }) : undefined)),
    );
  }
  for (const [userId, seenAt] of batch.expired) {
    if (batch.meta.has(userId)) continue;
    // Checked again: another tab may have stored a fresh entry since it was seen stale.
    track(meta.get(userId).then((found) => (found && !isFresh(found, seenAt) ? meta.delete(userId) : undefined)));
  }
  return requests;
}

/** Least recently used out first (the index's order), until both the count and the byte budget hold. */
async function keepBlobBounds(tx: WriteTx, bounds: Bounds): Promise<number> {
  const store = tx.objectStore('blobs');
  const victims = toFit(await store.index('usedAt').getAll(), bounds);
  await Promise.all(victims.map((record) => store.delete(record.version)));
  return victims.length;
}

/** Least recently used out first; a count alone, so only the keys to delete are read. */
async function keepEntryBound(tx: WriteTx, maxEntries: number): Promise<number> {
  const store = tx.objectStore('meta');
  const excess = (await store.count()) - maxEntries;
  if (excess <= 0) return 0;
  const oldest = await store.index('usedAt').getAllKeys(undefined, excess);
  await Promise.all(oldest.map((userId) => store.delete(userId)));
  return oldest.length;
}

/** Frees room after a quota error; the quota is the whole origin's, so a decisive step rather than a precise one. */
async function evictOlderHalf(db: Db, log: Log): Promise<void> {
  const tx = db.transaction('blobs', 'readwrite');
  const done = tx.done;
  done.catch(noop);
  const oldestFirst = await tx.store.index('usedAt').getAllKeys();
  const victims = oldestFirst.slice(0, Math.ceil(oldestFirst.length / 2));
  await Promise.all([...victims.map((version) => tx.store.delete(version)), done]);
  log(`IndexedDB evicted ${victims.length} Blobs to make room`);
}
