import type { StorageBackend } from './backend.ts';
import { markAllUnnamed, readPointerState } from './pointer.ts';
import { newestWholeVersion, recoverPointer } from './recover.ts';
import type { PictureStorage } from './storage.ts';
import { sweep } from './sweep.ts';
import { assertStoredPicture, assertUserId, encodePointer, isVersion, isWidth } from './validate.ts';

/** Settings every PictureStorage takes, whatever its place. */
export interface PictureStorageOptions {
  /** Where a pointer that could not be read, and what answered instead, is reported. */
  log?: Pick<Console, 'warn'>;
}

/**
 * A PictureStorage over one place's objects: the one implementation of what is current, what a change writes and
 * in which order, and what may go when. Nothing is kept in memory: a new instance over the same place sees
 * everything, and a crash between any two writes leaves the old picture or the new one, whole.
 *
 * @example
 * const storage = createPictureStorage(createFileBackend({ dir: '.data' }));
 */
export function createPictureStorage(backend: StorageBackend, options: PictureStorageOptions = {}): PictureStorage {
  const log = options.log ?? console;

  return {
    kind: backend.kind,

    async put(userId, picture, files, options = {}) {
      assertUserId(userId);
      assertStoredPicture(picture, files);
      const state = await readPointerState(backend, userId);
      const previous = state.kind === 'picture' ? state.picture : null;
      if (options.onlyIf !== undefined && previous?.version !== options.onlyIf) return;
      // Copies already committed are never written over: copies made again (another instance, another libvips)
      // may differ by a byte, and a URL must serve the same bytes forever.
      if (previous?.version === picture.version && previous.variants) return;
      // Dated before the commit, so no crash can lose when the previous version stopped being named; a first upload
      // marks its own version, so copies a crash leaves before the commit are found too.
      if (state.kind === 'unreadable') await markAllUnnamed(backend, userId, picture.version);
      await backend.markUnnamed(userId, previous?.version ?? picture.version);
      // Bytes before the pointer names them.
      for (const [i, variant] of picture.variants!.entries())
        await backend.writeCopy(userId, picture.version, variant.width, files[i]!);
      await backend.writePointer(userId, encodePointer(picture)); // the commit
      // An upload kept from before copies were made is never named by a lookup (lookups name copies): it goes now.
      if (previous && !previous.variants) await backend.removeOriginal(userId, previous.version);
    },

    async current(userId) {
      const state = await readPointerState(backend, userId);
      if (state.kind === 'unreadable') return recoverPointer(backend, userId, state.error, log);
      return state.kind === 'picture' ? state.picture : null;
    },

    async read(userId, version, width) {
      assertUserId(userId);
      // A version and a width come from a URL: one that cannot exist is simply not stored.
      return isVersion(version) && isWidth(width) ? backend.readCopy(userId, version, width) : null;
    },

    async readOriginal(userId, version) {
      assertUserId(userId);
      return isVersion(version) ? backend.readOriginal(userId, version) : null;
    },

    async remove(userId) {
      assertUserId(userId);
      const state = await readPointerState(backend, userId);
      if (state.kind === 'none') return null;
      // What lookups answered for a pointer that could not be read: the newest whole version, if any.
      const removed = state.kind === 'picture' ? state.picture : await newestWholeVersion(backend, userId);
      if (state.kind === 'unreadable') await markAllUnnamed(backend, userId);
      else await backend.markUnnamed(userId, state.picture.version);
      await backend.deletePointer(userId); // the commit
      if (state.kind === 'picture' && !state.picture.variants)
        await backend.removeOriginal(userId, state.picture.version);
      return removed;
    },

    sweep: (options) => sweep(backend, { ...options, log }),

    ping: () => backend.ping(),
  };
}
