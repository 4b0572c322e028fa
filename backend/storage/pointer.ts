import type { StorageBackend } from './backend.ts';
import type { StoredPicture } from './storage.ts';
import { CorruptPointerError, decodePointer } from './validate.ts';

/** What a user's pointer says: a picture, none, or nothing readable (cut short by a crash, or not this code's). */
export type PointerState =
  | { kind: 'picture'; picture: StoredPicture }
  | { kind: 'none' }
  | { kind: 'unreadable'; error: CorruptPointerError };

/** Reads the pointer; one that cannot be parsed is a state, not an error (a storage that cannot be reached throws). */
export async function readPointerState(backend: StorageBackend, userId: string): Promise<PointerState> {
  const found = await backend.readPointer(userId);
  if (!found) return { kind: 'none' };
  try {
    return { kind: 'picture', picture: decodePointer(found.text, found.where) };
  } catch (error) {
    if (error instanceof CorruptPointerError) return { kind: 'unreadable', error };
    throw error;
  }
}

/**
 * Marks every version stored for the user but `keep` as unnamed now: before a commit over a pointer that could not be
 * read, which may have been answered as any of them.
 */
export async function markAllUnnamed(backend: StorageBackend, userId: string, keep?: string): Promise<void> {
  const versions = new Set((await backend.list(userId)).filter((o) => o.kind === 'copy').map((o) => o.version!));
  if (keep !== undefined) versions.delete(keep);
  for (const version of versions) await backend.markUnnamed(userId, version);
}
