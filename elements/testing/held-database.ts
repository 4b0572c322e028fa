// Browser-test helper: an IndexedDB database that another tab holds, built from real parts.
import { openDB } from 'idb';

/**
 * Holds `dbName` as another tab can: a connection that ignores `versionchange`, and a deletion queued behind it, so
 * every open of the database waits, and no event says so. `release()` closes that connection and resolves once the
 * deletion has gone through; `deleted()` says whether it has.
 */
export async function holdDatabase(dbName: string): Promise<{ deleted: () => boolean; release: () => Promise<void> }> {
  const holder = await openDB(dbName);
  const deletion = indexedDB.deleteDatabase(dbName);
  const done = new Promise<void>((resolve) => deletion.addEventListener('success', () => resolve()));
  let deleted = false;
  void done.then(() => (deleted = true));
  await new Promise((resolve) => deletion.addEventListener('blocked', resolve, { once: true }));
  return {
    deleted: () => deleted,
    release: () => {
      holder.close();
      return done;
    },
  };
}
