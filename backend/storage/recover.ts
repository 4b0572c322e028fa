import type { StorageBackend, StoredObject } from './backend.ts';
import { encodePointer } from './validate.ts';
import { markAllUnnamed, readPointerState } from './pointer.ts';
import type { StoredPicture } from './storage.ts';
import { versionOf } from './version.ts';

/**
 * The newest version stored for the user whose copies are all there and whole, or `null`. A version is named by the
 * hash of its copies, so copies that hash to it prove it whole, even where a crash can cut a write short. (Copies
 * made for a picture stored before copies existed keep the upload's name, so they cannot be proven and are passed
 * over.)
 */
export async function newestWholeVersion(backend: StorageBackend, userId: string): Promise<StoredPicture | null> {
  const byVersion = new Map<string, StoredObject[]>();
  for (const object of await backend.list(userId)) {
    if (object.kind === 'copy') byVersion.set(object.version!, [...(byVersion.get(object.version!) ?? []), object]);
  }
  const newest = (copies: StoredObject[]) => Math.max(...copies.map((copy) => copy.modifiedAt));
  const candidates = [...byVersion].sort(([, a], [, b]) => newest(b) - newest(a));
  for (const [version, copies] of candidates) {
    copies.sort((a, b) => a.width! - b.width!);
    const bytes: Uint8Array[] = [];
    for (const { width } of copies) {
      const copy = await backend.readCopy(userId, version, width!);
      if (!copy) break; // removed since the listing
      bytes.push(new Uint8Array(await new Response(copy.body).arrayBuffer()));
    }
    if (bytes.length !== copies.length || (await versionOf(bytes)) !== version) continue;
    const variants = copies.map(({ width }, i) => ({ width: width!, bytes: bytes[i]!.byteLength }));
    return { version, updatedAt: newest(copies), variants };
  }
  return null;
}

/**
 * Answers a lookup whose pointer cannot be read: the newest whole version, said in one line of the log. The pointer
 * is rewritten to name it only while it is still unreadable (a change committed meanwhile wins, and is answered
 * instead), and only after every other version is marked unnamed, since any of them may have been answered
 * meanwhile. With no whole version, `error` is thrown: there is nothing to show, and nothing is guessed.
 */
export async function recoverPointer(
  backend: StorageBackend,
  userId: string,
  error: Error,
  log: Pick<Console, 'warn'>,
): Promise<StoredPicture | null> {
  const found = await newestWholeVersion(backend, userId);
  if (!found) throw error;
  let outcome: string;
  try {
    const state = await readPointerState(backend, userId);
    if (state.kind !== 'unreadable') return state.kind === 'picture' ? state.picture : null;
    await markAllUnnamed(backend, userId, found.version);
    await backend.writePointer(userId, encodePointer(found));
    outcome = 'the pointer now names it';
  } catch (repairError) {
    outcome = `the pointer could not be rewritten (${(repairError as Error).message})`;
  }
  log.warn(
    `[storage] ${error.message}: answering ${userId}'s newest whole version ${found.version} of ${new Date(found.updatedAt).toISOString()}; ${outcome}`,
  );
  return found;
}
