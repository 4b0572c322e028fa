import { Buffer } from 'node:buffer';
import * as http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import * as https from 'node:https';
import type { Readable } from 'node:stream';
import type { Client, ClientOptions } from 'minio';
import { concat } from '../bytes.ts';
import { USER_ID } from '../user-id.ts';
import type { StorageBackend, StoredObject, UserInventory } from './backend.ts';
import { copyName, markerName, parseName, type Area } from './names.ts';
import { createPictureStorage, type PictureStorageOptions } from './picture-storage.ts';
import { VARIANT_TYPE, WHOLE_COPY_BYTES, type PictureBytes, type PictureStorage } from './storage.ts';
import { assertUserId, assertVersion, assertWidth } from './validate.ts';

export interface MinioStorageOptions extends PictureStorageOptions {
  /** A client created by the runtime entry, with the same `region` (so no call asks the server for it). */
  client: Client;
  bucket: string;
  /** The bucket's region. */
  region: string;
  /** How long one storage call may take before it throws: a server that accepts and never answers must not hang us. */
  timeoutMs?: number;
}

/** Object-store headers for a copy: a version never changes, so a CDN or a public-read bucket may keep it for good. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Each area's prefix in the bucket. */
const PREFIXES: Record<Area, string> = { copies: 'variants/', originals: 'pictures/', markers: 'unnamed/' };

/** Keys asked for per listing call: S3's most. */
const PAGE_KEYS = 1_000;

/**
 * Pictures in any S3 (MinIO in production): `variants/{userId}/{version}/{width}.webp` holds the copies
 * (content-addressed, stored with `Content-Type` and `Cache-Control: immutable`) and `current/{userId}.json` the
 * pointer, a StoredPicture; `unnamed/{userId}/{version}.{id}` are the empty markers a change leaves for the sweep;
 * `pictures/{userId}/{version}` is an upload kept from before copies were made, read only to make them. The pointer
 * lives in the bucket, not in Redis, so flushing the cache loses nothing, and nothing is kept in memory. The service
 * serves copies at its own unsigned URLs, so a version's URL never changes.
 *
 * Every call that reaches the server throws after `timeoutMs`.
 *
 * @example
 * const client = new Client({ endPoint, port, useSSL: false, accessKey, secretKey, region, pathStyle: true,
 *   transport: minioTransport({ timeoutMs: 5000 }) });
 * await ensureBucket({ client, bucket, region });
 * const storage = createMinioStorage({ client, bucket, region });
 */
export function createMinioStorage(options: MinioStorageOptions): PictureStorage {
  return createPictureStorage(createMinioBackend(options), options);
}

/** The objects of a bucket, for `createPictureStorage`. */
export function createMinioBackend(options: MinioStorageOptions): StorageBackend {
  const { client, bucket, timeoutMs = 5_000 } = options;
  checkCommonOptions('createMinioStorage', options);
  const call = <T>(what: string, run: () => Promise<T>, disposeLate?: (late: T) => void) =>
    withDeadline(timeoutMs, `${what} (bucket ${bucket})`, run, disposeLate);

  // Every key is built here, from asserted parts only.
  function userPrefix(area: Area, userId: string): string {
    assertUserId(userId);
    return `${PREFIXES[area]}${userId}/`;
  }
  function objectKey(userId: string, version: string): string {
    assertVersion(version);
    return userPrefix('originals', userId) + version;
  }
  function variantKey(userId: string, version: string, width: number): string {
    assertVersion(version);
    assertWidth(width);
    return userPrefix('copies', userId) + copyName(version, width);
  }
  function pointerKey(userId: string): string {
    assertUserId(userId);
    return `current/${userId}.json`;
  }

  async function putObject(key: string, data: Uint8Array, headers: Record<string, string>): Promise<void> {
    // minio wants a Buffer; this one is a view over the caller's bytes, not a copy.
    const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    await call(`PUT ${key}`, () => client.putObject(bucket, key, body, body.byteLength, headers));
  }

  async function removeObject(key: string): Promise<void> {
    await call(`DELETE ${key}`, () => client.removeObject(bucket, key));
  }

  /** An object's bytes as a stream with its headers, or `null` when there is no such object. */
  async function getObject(key: string): Promise<{ stream: Readable; headers: IncomingHttpHeaders } | null> {
    const response = await call(
      `GET ${key}`,
      async () => {
        try {
          return await client.getObject(bucket, key);
        } catch (error) {
          if (isNoSuchKey(error)) return null;
          throw error;
        }
      },
      (late) => late?.destroy(),
    );
    // getObject answers the HTTP response itself, so its headers are there.
    return (
      response && {
        stream: response,
        headers: (response as Readable & { headers?: IncomingHttpHeaders }).headers ?? {},
      }
    );
  }

  /** An object's whole body, under the deadline too: one that stops arriving is given up, and its socket closed. */
  function readBody(key: string, stream: Readable): Promise<Uint8Array<ArrayBuffer>> {
    return call(`GET ${key} (its body)`, async () => concat(await readAll(stream))).catch((error: unknown) => {
      stream.destroy();
      throw error;
    });
  }

  /** Every object under `prefix`, page by page (each page one call, under the deadline). */
  async function* listAll(prefix: string): AsyncIterable<{ key: string; modifiedAt: number }> {
    let token = '';
    do {
      const page = await call(`LIST ${prefix}`, () =>
        client.listObjectsV2Query(bucket, prefix, token, '', PAGE_KEYS, ''),
      );
      for (const item of page.objects) if (item.name) yield { key: item.name, modifiedAt: item.lastModified.getTime() };
      token = page.isTruncated ? page.nextContinuationToken : '';
    } while (token);
  }

  /** The user's objects in one area, with their dates. */
  async function listIn(area: Area, userId: string): Promise<StoredObject[]> {
    const prefix = userPrefix(area, userId);
    const objects: StoredObject[] = [];
    for await (const { key, modifiedAt } of listAll(prefix)) {
      const name = parseName(area, key.slice(prefix.length), key);
      if (name) objects.push({ ...name, modifiedAt });
    }
    return objects;
  }

  return {
    kind: 'minio',

    async readPointer(userId) {
      const key = pointerKey(userId);
      // The body is read under the deadline too: it is small, and a server that stalls in it must not hang a lookup.
      const text = await call(`GET ${key}`, async () => {
        try {
          return new TextDecoder().decode(concat(await readAll(await client.getObject(bucket, key))));
        } catch (error) {
          if (isNoSuchKey(error)) return null;
          throw error;
        }
      });
      return text === null ? null : { text, where: `s3://${bucket}/${key}` };
    },

    async writePointer(userId, text) {
      await putObject(pointerKey(userId), new TextEncoder().encode(text), {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
      });
    },

    deletePointer: (userId) => removeObject(pointerKey(userId)),

    async writeCopy(userId, version, width, data) {
      await putObject(variantKey(userId, version, width), data, {
        'Content-Type': VARIANT_TYPE,
        'Cache-Control': IMMUTABLE,
      });
    },

    async readCopy(userId, version, width): Promise<PictureBytes | null> {
      const key = variantKey(userId, version, width);
      const found = await getObject(key);
      if (!found) return null;
      const bytes = Number(found.headers['content-length']);
      if (!Number.isSafeInteger(bytes)) {
        found.stream.destroy();
        throw new Error(`S3 answered GET ${key} without a Content-Length.`);
      }
      if (bytes > WHOLE_COPY_BYTES) return { body: toWebStream(found.stream), contentType: VARIANT_TYPE, bytes };
      const body = await readBody(key, found.stream);
      if (body.length !== bytes) throw new Error(`S3 sent ${body.length} of the ${bytes} bytes of ${key}.`);
      return { body, contentType: VARIANT_TYPE, bytes };
    },

    async readOriginal(userId, version) {
      const key = objectKey(userId, version);
      const found = await getObject(key);
      return found && readBody(key, found.stream);
    },

    removeOriginal: (userId, version) => removeObject(objectKey(userId, version)),

    async markUnnamed(userId, version) {
      assertVersion(version);
      await putObject(userPrefix('markers', userId) + markerName(version), new Uint8Array(0), {
        'Content-Type': 'application/octet-stream',
      });
    },

    async list(userId) {
      return (await Promise.all((Object.keys(PREFIXES) as Area[]).map((area) => listIn(area, userId)))).flat();
    },

    async *inventory(): AsyncIterable<UserInventory> {
      // A listing is in key order, so each user's objects come together: one user at a time is held.
      for (const area of Object.keys(PREFIXES) as Area[]) {
        let group: UserInventory | undefined;
        for await (const { key } of listAll(PREFIXES[area])) {
          const [userId = '', ...rest] = key.slice(PREFIXES[area].length).split('/');
          const name = USER_ID.test(userId) ? parseName(area, rest.join('/'), key) : undefined;
          if (!name) continue;
          if (group?.userId !== userId) {
            if (group) yield group;
            group = { userId, objects: [] };
          }
          group.objects.push(name);
        }
        if (group) yield group;
      }
    },

    // A write to S3 is all or nothing: nothing is left half-written outside a user's keys.
    strays: async () => [],

    async discard(objects) {
      for (const { key } of objects) await removeObject(key);
    },

    async ping() {
      if (!(await call('HEAD bucket', () => client.bucketExists(bucket)))) {
        const error = new Error(`Bucket ${JSON.stringify(bucket)} does not exist: call ensureBucket() at startup.`);
        throw Object.assign(error, { code: 'NoSuchBucket' }); // S3's own name for it, which /healthz shows
      }
    },
  };
}

/**
 * Creates the bucket in `region` when it is missing; call it once at startup, before serving. Answers whether it
 * created the bucket. Safe when several instances start at once.
 */
export async function ensureBucket(
  options: Pick<MinioStorageOptions, 'client' | 'bucket' | 'region' | 'timeoutMs'>,
): Promise<boolean> {
  const { client, bucket, region, timeoutMs = 5_000 } = options;
  checkCommonOptions('ensureBucket', options);
  const call = <T>(what: string, run: () => Promise<T>) => withDeadline(timeoutMs, `${what} (bucket ${bucket})`, run);
  if (await call('HEAD bucket', () => client.bucketExists(bucket))) return false;
  try {
    await call('create bucket', () => client.makeBucket(bucket, region));
    return true;
  } catch (error) {
    // Another instance may have created it between our two calls.
    if (await call('HEAD bucket', () => client.bucketExists(bucket))) return false;
    throw error;
  }
}

/**
 * A `transport` for the minio `Client` that aborts a request whose socket stays silent for `timeoutMs`, so a
 * server that accepts and never answers costs no socket for long (the minio client has no timeout of its own).
 * The storage's own deadline makes calls throw either way; this also frees the connection and bounds a stalled
 * download.
 */
export function minioTransport(
  options: { useSSL?: boolean; timeoutMs?: number } = {},
): NonNullable<ClientOptions['transport']> {
  const { useSSL = false, timeoutMs = 5_000 } = options;
  const base = (useSSL ? https.request : http.request) as (...args: unknown[]) => http.ClientRequest;
  const request = (...args: unknown[]) => {
    const req = base(...args);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`S3 request got no data for ${timeoutMs} ms.`)));
    return req;
  };
  return { request: request as typeof http.request };
}

function checkCommonOptions(
  name: string,
  options: Pick<MinioStorageOptions, 'client' | 'bucket' | 'region' | 'timeoutMs'>,
): void {
  const { client, bucket, region, timeoutMs = 5_000 } = options;
  if (!client) throw new Error(`${name}: \`client\` is required.`);
  if (typeof bucket !== 'string' || bucket === '') throw new Error(`${name}: \`bucket\` is required (MINIO_BUCKET).`);
  if (typeof region !== 'string' || region === '') throw new Error(`${name}: \`region\` is required (MINIO_REGION).`);
  // Without a region on the client, the minio client asks the server for the bucket's location first (a network call).
  if (client.region !== region) {
    throw new Error(
      `${name}: the minio Client was created with region ${JSON.stringify(client.region ?? null)}, expected ` +
        `${JSON.stringify(region)}: pass the same region to new Client({ region }) so no call asks the server for it.`,
    );
  }
  if (!(timeoutMs > 0)) throw new Error(`${name}: timeoutMs must be positive, got ${timeoutMs}.`);
}

/** Settles with `run()`, or rejects after `timeoutMs`; a late result is handed to `disposeLate` to free it. */
function withDeadline<T>(
  timeoutMs: number,
  what: string,
  run: () => Promise<T>,
  disposeLate?: (late: T) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new Error(`S3 storage did not answer ${what} within ${timeoutMs} ms.`));
    }, timeoutMs);
    run().then(
      (value) => {
        if (done) return disposeLate?.(value);
        done = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function isNoSuchKey(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'NoSuchKey' || code === 'NotFound';
}

async function readAll(stream: Readable): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk as Uint8Array);
  return chunks;
}

/** A Web stream over a Node stream, pulled on demand; cancelling it destroys the source (and its socket). */
function toWebStream(source: Readable): ReadableStream<Uint8Array> {
  const chunks = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { value, done } = await chunks.next();
          if (done) return controller.close();
          const chunk = value as Uint8Array; // a Buffer: hand out a plain view of the same memory
          controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        } catch (error) {
          controller.error(error);
        }
      },
      cancel() {
        source.destroy();
      },
    },
    { highWaterMark: 0 },
  );
}
