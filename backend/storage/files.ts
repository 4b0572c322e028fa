import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { VARIANT_TYPE, type PictureBytes, type PictureStorage, type StoredPicture } from './storage.ts';
import { assertStoredPicture, assertUserId, assertVersion, assertWidth, decodePointer, encodePointer, isVersion, isWidth } from './validate.ts';

export interface FileStorageOptions {
  /** The data directory (`DATA_DIR`); created as needed. */
  dir: string;
}

/** Read size for streaming a copy: copies are a few KB, so this is one read. */
const CHUNK_BYTES = 64 * 1024;

/**
 * Pictures as files under one directory: the embedded default when no object store is configured.
 *
 * Layout: `dir/variants/{userId}/{version}/{width}.webp` holds the copies, `dir/current/{userId}.json` the pointer
 * (a StoredPicture); `dir/objects/{userId}/{version}` is an upload kept from before copies were made, read only
 * to make them. Every write goes to a temp file in the same directory
 * and is renamed into place, so a crash leaves either the old file or the new one, never half of one; temp
 * files start with a dot and are never read. Nothing is kept in memory: a new instance sees everything.
 *
 * @example
 * const storage = createFileStorage({ dir: process.env.DATA_DIR ?? '.data' });
 * await storage.put('ada', { version, updatedAt: Date.now(), variants: [{ width: 64, bytes: data.byteLength }] }, [data]);
 * await storage.read('ada', version, 64); // { body, contentType: 'image/webp', bytes }
 */
export function createFileStorage(options: FileStorageOptions): PictureStorage {
  const { dir } = options;
  if (typeof dir !== 'string' || dir === '') throw new Error('createFileStorage: `dir` is required (set DATA_DIR).');
  const objectsDir = join(dir, 'objects');
  const variantsDir = join(dir, 'variants');
  const currentDir = join(dir, 'current');
  let prepared = false;

  /** Makes the directories, once: after that, a missing one is an outage (deleted, a disk unmounted), not a new store. */
  async function ready(): Promise<void> {
    if (prepared) {
      await stat(currentDir);
      return;
    }
    await mkdir(variantsDir, { recursive: true });
    await mkdir(currentDir, { recursive: true });
    prepared = true;
  }

  // Every path is built here, from asserted parts only.
  function objectPath(userId: string, version: string): string {
    assertUserId(userId);
    assertVersion(version);
    return join(objectsDir, userId, version);
  }
  function variantPath(userId: string, version: string, width: number): string {
    assertUserId(userId);
    assertVersion(version);
    assertWidth(width);
    return join(variantsDir, userId, version, `${width}.webp`);
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

  /** Removes what a version kept: its copies, or the upload kept from before copies were made. */
  async function drop(userId: string, picture: StoredPicture): Promise<void> {
    await rm(objectPath(userId, picture.version), { force: true });
    if (picture.variants) await rm(join(variantsDir, userId, picture.version), { recursive: true, force: true });
  }

  return {
    kind: 'files',

    async put(userId, picture, files, options = {}) {
      assertStoredPicture(picture, files);
      await ready();
      // Copies already committed are never written over: copies made again (another instance, another libvips)
      // may differ by a byte, and a URL must serve the same bytes forever.
      const previous = await readPointer(userId);
      if (options.onlyIf !== undefined && previous?.version !== options.onlyIf) return;
      if (previous?.version === picture.version && previous.variants) return;
      // Bytes before the pointer names them.
      for (const [i, variant] of picture.variants!.entries()) {
        await writeAtomically(variantPath(userId, picture.version, variant.width), files[i]!);
      }
      await writeAtomically(pointerPath(userId), encodePointer(picture)); // the commit
      if (!previous) return;
      // The same version stored again with copies: only the upload it kept goes.
      if (previous.version === picture.version) await rm(objectPath(userId, previous.version), { force: true });
      // Re-uploaded meanwhile (the same picture again): nothing of it goes.
      else if ((await readPointer(userId))?.version !== previous.version) await drop(userId, previous);
    },

    current(userId) {
      return readPointer(userId);
    },

    async read(userId, version, width): Promise<PictureBytes | null> {
      assertUserId(userId);
      if (!isVersion(version) || !isWidth(width)) return null;
      let handle: FileHandle;
      try {
        handle = await open(variantPath(userId, version, width), 'r');
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
      try {
        const { size } = await handle.stat();
        // An open file survives a concurrent replace (which unlinks it), so the stream always ends whole.
        return { body: fileStream(handle), contentType: VARIANT_TYPE, bytes: size };
      } catch (error) {
        await handle.close();
        throw error;
      }
    },

    async readOriginal(userId, version) {
      assertUserId(userId);
      if (!isVersion(version)) return null;
      try {
        return new Uint8Array(await readFile(objectPath(userId, version)));
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },

    async remove(userId) {
      const previous = await readPointer(userId);
      if (!previous) return null;
      await rm(pointerPath(userId), { force: true });
      await drop(userId, previous);
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
