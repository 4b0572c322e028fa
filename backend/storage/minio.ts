import { Buffer } from 'node:buffer';
import * as http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import * as https from 'node:https';
import type { Readable } from 'node:stream';
import type { Client, ClientOptions } from 'minio';
import { concat } from '../bytes.ts';
import { VARIANT_TYPE, type PictureBytes, type PictureStorage, type StoredPicture } from './storage.ts';
import { assertStoredPicture, assertUserId, assertVersion, assertWidth, decodePointer, encodePointer, isVersion, isWidth } from './validate.ts';

export interface MinioStorageOptions {
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

/**
 * Pictures in any S3 (MinIO in production): `variants/{userId}/{version}/{width}.webp` holds the copies
 * (content-addressed, stored with `Content-Type` and `Cache-Control: immutable`) and `current/{userId}.json` the
 * pointer, a StoredPicture; `pictures/{userId}/{version}` is an upload kept from before copies were made, read
 * only to make them. The pointer lives in the bucket, not in Redis, so flushing the cache loses nothing, and
 * nothing is kept in memory. The service streams copies at its own unsigned URLs, so a version's URL never changes.
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
  const { client, bucket, timeoutMs = 5_000 } = options;
  checkCommonOptions('createMinioStorage', options);
  const call = <T>(what: string, run: () => Promise<T>, disposeLate?: (late: T) => void) =>
    withDeadline(timeoutMs, `${what} (bucket ${bucket})`, run, disposeLate);

  // Every key is built here, from asserted parts only.
  function objectKey(userId: string, version: string): string {
    assertUserId(userId);
    assertVersion(version);
    return `pictures/${userId}/${version}`;
  }
  function variantKey(userId: string, version: string, width: number): string {
    assertUserId(userId);
    assertVersion(version);
    assertWidth(width);
    return `variants/${userId}/${version}/${width}.webp`;
  }
  function pointerKey(userId: string): string {
    assertUserId(userId);
    return `current/${userId}.json`;
  }

  async function current(userId: string): Promise<StoredPicture | null> {
    const key = pointerKey(userId);
    const text = await call(`GET ${key}`, async () => {
      try {
        return await readText(await client.getObject(bucket, key));
      } catch (error) {
        if (isNoSuchKey(error)) return null;
        throw error;
      }
    });
    return text === null ? null : decodePointer(text, `s3://${bucket}/${key}`);
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
    return response && { stream: response, headers: (response as Readable & { headers?: IncomingHttpHeaders }).headers ?? {} };
  }

  /** Removes what a version kept: its copies, or the upload kept from before copies were made. */
  async function drop(userId: string, picture: StoredPicture): Promise<void> {
    if (!picture.variants) return removeObject(objectKey(userId, picture.version));
    for (const { width } of picture.variants) await removeObject(variantKey(userId, picture.version, width));
  }

  return {
    kind: 'minio',

    async put(userId, picture, files, options = {}) {
      assertStoredPicture(picture, files);
      // Copies already committed are never written over: copies made again (another instance, another libvips)
      // may differ by a byte, and a URL must serve the same bytes forever.
      const previous = await current(userId);
      if (options.onlyIf !== undefined && previous?.version !== options.onlyIf) return;
      if (previous?.version === picture.version && previous.variants) return;
      // Bytes before the pointer names them.
      for (const [i, variant] of picture.variants!.entries()) {
        await putObject(variantKey(userId, picture.version, variant.width), files[i]!, { 'Content-Type': VARIANT_TYPE, 'Cache-Control': IMMUTABLE });
      }
      await putObject(pointerKey(userId), new TextEncoder().encode(encodePointer(picture)), {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
      }); // the commit
      if (!previous) return;
      // The same version stored again with copies: only the upload it kept goes.
      if (previous.version === picture.version) await removeObject(objectKey(userId, previous.version));
      // Another instance may have made the old version current again meanwhile (the same picture re-uploaded).
      else if ((await current(userId))?.version !== previous.version) await drop(userId, previous);
    },

    current,

    async read(userId, version, width): Promise<PictureBytes | null> {
      assertUserId(userId);
      if (!isVersion(version) || !isWidth(width)) return null;
      const key = variantKey(userId, version, width);
      const found = await getObject(key);
      if (!found) return null;
      const bytes = Number(found.headers['content-length']);
      if (!Number.isSafeInteger(bytes)) {
        found.stream.destroy();
        throw new Error(`S3 answered GET ${key} without a Content-Length.`);
      }
      return { body: toWebStream(found.stream), contentType: VARIANT_TYPE, bytes };
    },

    async readOriginal(userId, version) {
      assertUserId(userId);
      if (!isVersion(version)) return null;
      const found = await getObject(objectKey(userId, version));
      return found && concat(await readAll(found.stream));
    },

    async remove(userId) {
      const previous = await current(userId);
      if (!previous) return null;
      await removeObject(pointerKey(userId));
      await drop(userId, previous);
      return previous;
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
export function minioTransport(options: { useSSL?: boolean; timeoutMs?: number } = {}): NonNullable<ClientOptions['transport']> {
  const { useSSL = false, timeoutMs = 5_000 } = options;
  const base = (useSSL ? https.request : http.request) as (...args: unknown[]) => http.ClientRequest;
  const request = (...args: unknown[]) => {
    const req = base(...args);
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`S3 request got no data for ${timeoutMs} ms.`)));
    return req;
  };
  return { request: request as typeof http.request };
}

function checkCommonOptions(name: string, options: Pick<MinioStorageOptions, 'client' | 'bucket' | 'region' | 'timeoutMs'>): void {
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
function withDeadline<T>(timeoutMs: number, what: string, run: () => Promise<T>, disposeLate?: (late: T) => void): Promise<T> {
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

async function readText(stream: Readable): Promise<string> {
  return new TextDecoder().decode(concat(await readAll(stream)));
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
