import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { PictureBytes, PictureStorage, StoredPicture } from './storage.ts';
import { assertStoredPicture, assertUserId, assertVersion, decodePointer, encodePointer, isVersion } from './validate.ts';

export interface FileStorageOptions {
  /** The data directory (`DATA_DIR`); created as needed. */
  dir: string;
  /** How long a URL from `locate` is promised to work. The URL never changes, so this only bounds caching. */
  urlTtlMs?: number;
}

/** Read size for streaming a picture: pictures are a few MiB at most, so this is a handful of reads. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Pictures as files under one directory: the embedded default when no object store is configured.
 *
 * Layout: `dir/objects/{userId}/{version}` holds the bytes, `dir/current/{userId}.json` the pointer (a
 * StoredPicture, which also carries the content type). Every write goes to a temp file in the same directory
 * and is renamed into place, so a crash leaves either the old file or the new one, never half of one; temp
 * files start with a dot and are never read. Nothing is kept in memory: a new instance sees everything.
 *
 * @example
 * const storage = createFileStorage({ dir: process.env.DATA_DIR ?? '.data' });
 * await storage.put('ada', { version, contentType: 'image/png', bytes: data.byteLength, updatedAt: Date.now() }, data);
 * await storage.locate('ada', picture, Date.now()); // { url: '/images/ada/{version}', expiresAt }
 */
export function createFileStorage(options: FileStorageOptions): PictureStorage {
  const { dir, urlTtlMs = 60 * 60_000 } = options;
  if (typeof dir !== 'string' || dir === '') throw new Error('createFileStorage: `dir` is required (set DATA_DIR).');
  if (!(urlTtlMs > 0)) throw new Error(`createFileStorage: urlTtlMs must be positive, got ${urlTtlMs}.`);
  const objectsDir = join(dir, 'objects');
  const currentDir = join(dir, 'current');
  let prepared = false;

  /** Makes the directories, once: after that, a missing one is an outage (deleted, a disk unmounted), not a new store. */
  async function ready(): Promise<void> {
    if (prepared) {
      await stat(currentDir);
      return;
    }
    await mkdir(objectsDir, { recursive: true });
    await mkdir(currentDir, { recursive: true });
    prepared = true;
  }

  // Every path is built here, from asserted parts only.
  function objectPath(userId: string, version: string): string {
    assertUserId(userId);
    assertVersion(version);
    return join(objectsDir, userId, version);
  }
  function pointerPath(userId: string): string {
    assertUserId(userId);
    return join(currentDir, `${userId}.json`);
  }

  async function readPointer(userId: string): Promise<StoredPicture | null> {
    const path = pointerPath(userId);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if (!isNotFound(error)) throw error;
      if (prepared) await stat(currentDir); // "no picture" only while the directory is there: a missing one throws
      return null;
    }
    return decodePointer(text, path);
  }

  /** Removes a replaced version's bytes unless it became current again meanwhile (the same picture re-uploaded). */
  async function dropUnlessCurrent(userId: string, version: string): Promise<void> {
    if ((await readPointer(userId))?.version === version) return;
    await rm(objectPath(userId, version), { force: true });
  }

  return {
    kind: 'files',

    async put(userId, picture, data) {
      assertStoredPicture(picture, data);
      await ready();
      // Bytes first: content-addressed, so rewriting an existing version writes the same bytes.
      await writeAtomically(objectPath(userId, picture.version), data);
      const previous = await readPointer(userId);
      if (previous?.version === picture.version) return;
      await writeAtomically(pointerPath(userId), encodePointer(picture)); // the commit
      if (previous) await dropUnlessCurrent(userId, previous.version);
    },

    current(userId) {
      return readPointer(userId);
    },

    async locate(userId, picture, now) {
      assertUserId(userId);
      assertVersion(picture.version);
      return { url: `/images/${userId}/${picture.version}`, expiresAt: now + urlTtlMs };
    },

    async read(userId, version): Promise<PictureBytes | null> {
      assertUserId(userId);
      if (!isVersion(version)) return null;
      // The content type lives in the pointer, so only the current version can be served.
      const pointer = await readPointer(userId);
      if (pointer?.version !== version) return null;
      let handle: FileHandle;
      try {
        handle = await open(objectPath(userId, version), 'r');
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
      try {
        const { size } = await handle.stat();
        // An open file survives a concurrent replace (which unlinks it), so the stream always ends whole.
        return { body: fileStream(handle), contentType: pointer.contentType, bytes: size };
      } catch (error) {
        await handle.close();
        throw error;
      }
    },

    async remove(userId) {
      const previous = await readPointer(userId);
      if (!previous) return null;
      await rm(pointerPath(userId), { force: true });
      await rm(objectPath(userId, previous.version), { force: true });
      return previous;
    },

    async ping() {
      await ready();
      await readdir(currentDir);
      const probe = join(dir, `.ping-${crypto.randomUUID()}`);
      await writeAtomically(probe, '');
      await rm(probe, { force: true });
    },
  };
}

/** Writes `path` all or nothing: a unique temp file in the same directory, flushed, then renamed over it. */
async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  // A leading dot: never a valid user id or version, so readers cannot mistake it for a picture.
  const temp = join(folder, `.${basename(path)}.${crypto.randomUUID()}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync(); // the rename must not reach the disk before the bytes do
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** A Web stream over an open file, read on demand; the handle is closed at the end, on error or on cancel. */
function fileStream(handle: FileHandle): ReadableStream<Uint8Array> {
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = new Uint8Array(CHUNK_BYTES);
          const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, null);
          if (bytesRead === 0) {
            await close();
            controller.close();
          } else {
            controller.enqueue(chunk.subarray(0, bytesRead));
          }
        } catch (error) {
          await close().catch(() => undefined);
          controller.error(error);
        }
      },
      cancel: close,
    },
    // Nothing is read before the consumer asks for it.
    { highWaterMark: 0 },
  );
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}
