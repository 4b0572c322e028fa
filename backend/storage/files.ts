import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { USER_ID } from '../user-id.ts';
import type { StorageBackend, StoredName, StoredObject, UserInventory } from './backend.ts';
import { copyName, isTempName, markerName, parseName, type Area } from './names.ts';
import { createPictureStorage, type PictureStorageOptions } from './picture-storage.ts';
import { VARIANT_TYPE, WHOLE_COPY_BYTES, type PictureBytes, type PictureStorage } from './storage.ts';
import { assertUserId, assertVersion, assertWidth } from './validate.ts';

export interface FileStorageOptions extends PictureStorageOptions {
  /** The data directory (`DATA_DIR`); created as needed. */
  dir: string;
}

/** Read size for streaming a copy too large to read whole. */
const CHUNK_BYTES = 64 * 1024;

/** Each area's folder under the data directory. */
const FOLDERS: Record<Area, string> = { copies: 'variants', originals: 'objects', markers: 'unnamed' };

/**
 * Pictures as files under one directory: the embedded default when no object store is configured.
 *
 * Layout: `dir/variants/{userId}/{version}/{width}.webp` holds the copies, `dir/current/{userId}.json` the pointer
 * (a StoredPicture); `dir/unnamed/{userId}/{version}.{id}` are the empty markers a change leaves for the sweep;
 * `dir/objects/{userId}/{version}` is an upload kept from before copies were made, read only to make them. Every
 * write goes to a temp file in the same directory and is renamed into place, so a crash leaves either the old file
 * or the new one, never half of one; temp files start with a dot and are never read. Runs on Node and Deno (its
 * `node:fs`).
 *
 * @example
 * const storage = createFileStorage({ dir: process.env.DATA_DIR ?? '.data' });
 * await storage.put('ada', { version, updatedAt: Date.now(), variants: [{ width: 64, bytes: data.byteLength }] }, [data]);
 * await storage.read('ada', version, 64); // { body, contentType: 'image/webp', bytes }
 */
export function createFileStorage(options: FileStorageOptions): PictureStorage {
  return createPictureStorage(createFileBackend(options), options);
}

/** The objects of a data directory, for `createPictureStorage`. */
export function createFileBackend(options: Pick<FileStorageOptions, 'dir'>): StorageBackend {
  const { dir } = options;
  if (typeof dir !== 'string' || dir === '') throw new Error('createFileStorage: `dir` is required (set DATA_DIR).');
  const variantsDir = join(dir, FOLDERS.copies);
  const currentDir = join(dir, 'current');
  let prepared = false;

  /**
   * Makes the directories, once: after that, a missing one is an outage (deleted, a disk unmounted), not a new store.
   */
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
  function userDir(area: Area, userId: string): string {
    assertUserId(userId);
    return join(dir, FOLDERS[area], userId);
  }
  function objectPath(userId: string, version: string): string {
    assertVersion(version);
    return join(userDir('originals', userId), version);
  }
  function variantPath(userId: string, version: string, width: number): string {
    assertVersion(version);
    assertWidth(width);
    return join(userDir('copies', userId), copyName(version, width));
  }
  function pointerPath(userId: string): string {
    assertUserId(userId);
    return join(currentDir, `${userId}.json`);
  }

  /** The user's objects in one area, by name (paths relative to their folder); none when the folder is missing. */
  async function namesIn(area: Area, userId: string): Promise<StoredName[]> {
    const root = userDir(area, userId);
    const names: StoredName[] = [];
    for (const rest of await filesUnder(root)) {
      const name = parseName(area, rest, join(root, rest));
      if (name) names.push(name);
    }
    return names;
  }

  return {
    kind: 'files',

    async readPointer(userId) {
      const path = pointerPath(userId);
      try {
        return { text: await readFile(path, 'utf8'), where: path };
      } catch (error) {
        if (!isNotFound(error)) throw error;
        if (prepared) await stat(currentDir); // "no picture" only while the directory is there: a missing one throws
        return null;
      }
    },

    async writePointer(userId, text) {
      await ready();
      await writeAtomically(pointerPath(userId), text);
    },

    async deletePointer(userId) {
      await rm(pointerPath(userId), { force: true });
    },

    async writeCopy(userId, version, width, data) {
      await ready();
      await writeAtomically(variantPath(userId, version, width), data);
    },

    async readCopy(userId, version, width): Promise<PictureBytes | null> {
      let handle: FileHandle;
      try {
        handle = await open(variantPath(userId, version, width), 'r');
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
      let streaming = false;
      try {
        const { size } = await handle.stat();
        if (size <= WHOLE_COPY_BYTES)
          return { body: await readWhole(handle, size), contentType: VARIANT_TYPE, bytes: size };
        streaming = true;
        // An open file survives a concurrent removal (which unlinks it), so the stream always ends whole.
        return { body: fileStream(handle), contentType: VARIANT_TYPE, bytes: size };
      } finally {
        if (!streaming) await handle.close();
      }
    },

    async readOriginal(userId, version) {
      try {
        return new Uint8Array(await readFile(objectPath(userId, version)));
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },

    async removeOriginal(userId, version) {
      await rm(objectPath(userId, version), { force: true });
    },

    async markUnnamed(userId, version) {
      assertVersion(version);
      await ready();
      await writeAtomically(join(userDir('markers', userId), markerName(version)), '');
    },

    async list(userId) {
      return dated((await Promise.all((Object.keys(FOLDERS) as Area[]).map((area) => namesIn(area, userId)))).flat());
    },

    async *inventory(): AsyncIterable<UserInventory> {
      for (const area of Object.keys(FOLDERS) as Area[]) {
        for (const userId of await readdir(join(dir, FOLDERS[area])).catch(ifMissing([]))) {
          if (USER_ID.test(userId)) yield { userId, objects: await namesIn(area, userId) };
        }
      }
    },

    async strays() {
      // Temp files of pointers (no user's folder holds them) and of the health check's probe.
      const found = [
        ...(await readdir(currentDir).catch(ifMissing([]))).filter(isTempName).map((name) => join(currentDir, name)),
        ...(await readdir(dir).catch(ifMissing([])))
          .filter((name) => name.startsWith('.ping-') || isTempName(name))
          .map((name) => join(dir, name)),
      ];
      return dated(found.map((key) => ({ kind: 'temp', key })));
    },

    async discard(objects) {
      for (const { key } of objects) {
        await rm(key, { force: true });
        // Folders left empty go too (a version's, then the user's), never an area's; rmdir refuses one not empty.
        const [area = '', ...rest] = relative(dir, key).split(sep);
        if (!Object.values(FOLDERS).includes(area)) continue;
        for (let depth = rest.length - 1; depth >= 1; depth--) {
          if (
            !(await rmdir(join(dir, area, ...rest.slice(0, depth))).then(
              () => true,
              () => false,
            ))
          )
            break;
        }
      }
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

/** Every file under `root`, as `/`-separated paths relative to it; none when it is missing. */
async function filesUnder(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true }).catch(ifMissing([]))) {
    if (entry.isDirectory())
      found.push(...(await filesUnder(join(root, entry.name))).map((rest) => `${entry.name}/${rest}`));
    else found.push(entry.name);
  }
  return found;
}

/** The objects with the date each was last written; one gone since it was listed is left out. */
async function dated(names: readonly StoredName[]): Promise<StoredObject[]> {
  const objects = await Promise.all(
    names.map((name) => stat(name.key).then((s) => ({ ...name, modifiedAt: s.mtimeMs }), ifMissing(undefined))),
  );
  return objects.filter((object) => object !== undefined);
}

/** Answers `fallback` for a file that does not exist; rethrows anything else. */
function ifMissing<T>(fallback: T): (error: unknown) => T {
  return (error) => {
    if (isNotFound(error)) return fallback;
    throw error;
  };
}

/** Writes `path` all or nothing: a unique temp file in the same directory, flushed, then renamed over it. */
async function writeAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const folder = dirname(path);
  // A leading dot: never a valid user id or version, so readers cannot mistake it for a picture.
  const temp = join(folder, `.${basename(path)}.${crypto.randomUUID()}.tmp`);
  try {
    await mkdir(folder, { recursive: true });
    let handle: FileHandle;
    try {
      handle = await open(temp, 'wx');
    } catch (error) {
      // A sweep removed the folder, empty, between the two calls: once more.
      if (!isNotFound(error)) throw error;
      await mkdir(folder, { recursive: true });
      handle = await open(temp, 'wx');
    }
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

/** The first `size` bytes of an open file (all of a copy, which never changes once written). */
async function readWhole(handle: FileHandle, size: number): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; ) {
    const { bytesRead } = await handle.read(bytes, at, size - at, at);
    if (bytesRead === 0) throw new Error(`A copy ended after ${at} of its ${size} bytes.`);
    at += bytesRead;
  }
  return bytes;
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
