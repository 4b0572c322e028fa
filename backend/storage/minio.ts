import { Buffer } from 'node:buffer';
import * as http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import * as https from 'node:https';
import type { Readable } from 'node:stream';
import type { Client, ClientOptions } from 'minio';
import { concat } from '../bytes.ts';
import type { PictureBytes, PictureStorage, StoredPicture } from './storage.ts';
import { assertStoredPicture, assertUserId, assertVersion, decodePointer, encodePointer, isVersion } from './validate.ts';

export interface MinioStorageOptions {
  /** A client created by the runtime entry, with the same `region` (so presigning never asks the server). */
  client: Client;
  bucket: string;
  /** The bucket's region; presigned URLs are signed for it. */
  region: string;
  /** How long a presigned URL lives, counted from the start of its signing window. At most 7 days. */
  urlTtlMs?: number;
  /**
   * URLs are signed with the start of the current window as their date, so every instance hands out the same URL
   * for a version within a window and browsers keep hitting their HTTP cache. Must be shorter than `urlTtlMs`:
   * a URL is then valid for at least `urlTtlMs - signWindowMs` after it is handed out.
   */
  signWindowMs?: number;
  /** How long one storage call may take before it throws: a server that accepts and never answers must not hang us. */
  timeoutMs?: number;
}

/** Object-store response headers for picture bytes: a version never changes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** SigV4 presigned URLs cannot live longer than this. */
const MAX_URL_TTL_MS = 7 * 24 * 60 * 60_000;

/**
 * Pictures in any S3 (MinIO in production): `pictures/{userId}/{version}` holds the bytes (content-addressed,
 * stored with `Content-Type` and `Cache-Control: immutable` so a presigned GET answers with them) and
 * `current/{userId}.json` the pointer, a StoredPicture. The pointer lives in the bucket, not in Redis, so
 * flushing the cache loses nothing, and nothing is kept in memory.
 *
 * Every call that reaches the server throws after `timeoutMs`. `locate` is CPU only: it signs with the region
 * given here, which is why the client must be created with the same region.
 *
 * @example
 * const client = new Client({ endPoint, port, useSSL: false, accessKey, secretKey, region, pathStyle: true,
 *   transport: minioTransport({ timeoutMs: 5000 }) });
 * await ensureBucket({ client, bucket, region });
 * const storage = createMinioStorage({ client, bucket, region });
 */
export function createMinioStorage(options: MinioStorageOptions): PictureStorage {
  const { client, bucket, urlTtlMs = 60 * 60_000, signWindowMs = 10 * 60_000, timeoutMs = 5_000 } = options;
  checkCommonOptions('createMinioStorage', options);
  if (!(urlTtlMs >= 1_000 && urlTtlMs <= MAX_URL_TTL_MS)) {
    throw new Error(`createMinioStorage: urlTtlMs must be between 1 s and 7 days, got ${urlTtlMs}.`);
  }
  if (!(signWindowMs > 0 && signWindowMs < urlTtlMs)) {
    throw new Error(`createMinioStorage: signWindowMs must be positive and shorter than urlTtlMs, got ${signWindowMs}.`);
  }
  const expirySeconds = Math.floor(urlTtlMs / 1_000);
  const call = <T>(what: string, run: () => Promise<T>, disposeLate?: (late: T) => void) =>
    withDeadline(timeoutMs, `${what} (bucket ${bucket})`, run, disposeLate);

  // Every key is built here, from asserted parts only.
  function objectKey(userId: string, version: string): string {
    assertUserId(userId);
    assertVersion(version);
    return `pictures/${userId}/${version}`;
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

  return {
    kind: 'minio',

    async put(userId, picture, data) {
      assertStoredPicture(picture, data);
      // Bytes first: content-addressed, so rewriting an existing version writes the same bytes.
      await putObject(objectKey(userId, picture.version), data, {
        'Content-Type': picture.contentType,
        'Cache-Control': IMMUTABLE,
      });
      const previous = await current(userId);
      if (previous?.version === picture.version) return;
      await putObject(pointerKey(userId), new TextEncoder().encode(encodePointer(picture)), {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
      }); // the commit
      // Another instance may have made the old version current again meanwhile (the same picture re-uploaded).
      if (previous && (await current(userId))?.version !== previous.version) {
        await removeObject(objectKey(userId, previous.version));
      }
    },

    current,

    async locate(userId, picture, now) {
      const key = objectKey(userId, picture.version);
      const signedAt = Math.floor(now / signWindowMs) * signWindowMs;
      // Pure CPU with the client's region set; the deadline only matters for a credentials provider that refreshes.
      const url = await call(`presign ${key}`, () =>
        client.presignedGetObject(bucket, key, expirySeconds, {}, new Date(signedAt)),
      );
      return { url, expiresAt: signedAt + expirySeconds * 1_000 };
    },

    async read(userId, version): Promise<PictureBytes | null> {
      assertUserId(userId);
      if (!isVersion(version)) return null;
      const key = objectKey(userId, version);
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
      if (!response) return null;
      // getObject answers the HTTP response itself, so its headers are there.
      const headers: IncomingHttpHeaders = (response as Readable & { headers?: IncomingHttpHeaders }).headers ?? {};
      const bytes = Number(headers['content-length']);
      if (!Number.isSafeInteger(bytes)) {
        response.destroy();
        throw new Error(`S3 answered GET ${key} without a Content-Length.`);
      }
      return { body: toWebStream(response), contentType: headers['content-type'] ?? 'application/octet-stream', bytes };
    },

    async remove(userId) {
      const previous = await current(userId);
      if (!previous) return null;
      await removeObject(pointerKey(userId));
      await removeObject(objectKey(userId, previous.version));
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
  // Without a region on the client, presigning asks the server for the bucket's location (a network call).
  if (client.region !== region) {
    throw new Error(
      `${name}: the minio Client was created with region ${JSON.stringify(client.region ?? null)}, expected ` +
        `${JSON.stringify(region)}: pass the same region to new Client({ region }) so presigning stays offline.`,
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

async function readText(stream: Readable): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk as Uint8Array);
  return new TextDecoder().decode(concat(chunks));
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
