import { concat } from '../bytes.ts';

/** The body is bigger than the configured limit. Routes answer it with 413 `payload_too_large`. */
export class PayloadTooLargeError extends Error {
  readonly limit: number;

  constructor(limit: number) {
    super(
      `the image is larger than the ${limit}-byte limit; send a smaller picture, or raise MAX_UPLOAD_BYTES to accept larger ones`,
    );
    this.name = 'PayloadTooLargeError';
    this.limit = limit;
  }
}

/** The request carried no bytes at all. Routes answer it with 400 `bad_request`. */
export class EmptyBodyError extends Error {
  constructor() {
    super('the request has no image bytes; send the picture file as the request body');
    this.name = 'EmptyBodyError';
  }
}

/** The body did not arrive within the time allowed. Routes answer it with 408 `request_timeout`. */
export class UploadTimeoutError extends Error {
  readonly timeoutMs: number;

  constructor(timeoutMs: number) {
    super(
      `the image did not arrive within ${timeoutMs / 1000} s; send it again over a faster connection, or raise UPLOAD_TIMEOUT_MS`,
    );
    this.name = 'UploadTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The body stream failed before its end: the client went away mid-body, or its connection broke. */
export class BodyAbortedError extends Error {
  readonly received: number;

  constructor(received: number, cause: unknown) {
    super(`the body broke off after ${received} bytes (${cause instanceof Error ? cause.message : String(cause)})`, {
      cause,
    });
    this.name = 'BodyAbortedError';
    this.received = received;
  }
}

/**
 * Reads a request body into one `Uint8Array`, holding at most `limit` bytes plus the one chunk that
 * crossed it: the moment the count passes `limit` the stream is cancelled (so the sender is cut off
 * instead of uploading gigabytes into the void) and `PayloadTooLargeError` is thrown. A `Content-Length`
 * header cannot be trusted for this: it may be missing (chunked) or lie.
 *
 *
 * With `timeoutMs`, the whole body must arrive within that time, however it trickles: a client sending a byte a
 * second would otherwise hold a connection and its buffer for as long as it likes.
 *
 * @throws {EmptyBodyError} when `body` is `null` or yields no bytes.
 * @throws {PayloadTooLargeError} when the body has more than `limit` bytes.
 * @throws {UploadTimeoutError} when the body has not ended `timeoutMs` after reading began.
 * @throws {BodyAbortedError} when the body stream fails before its end (the client went away).
 * @example
 * const bytes = await readLimited(c.req.raw.body, maxUploadBytes, { timeoutMs: 60_000 });
 */
export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  { timeoutMs }: { timeoutMs?: number } = {},
): Promise<Uint8Array<ArrayBuffer>> {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError(`readLimited: limit must be a whole number of bytes >= 0, got ${limit}`);
  }
  if (timeoutMs !== undefined && !(timeoutMs > 0))
    throw new RangeError(`readLimited: timeoutMs must be positive, got ${timeoutMs}`);
  if (body === null) throw new EmptyBodyError();

  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired =
    timeoutMs === undefined
      ? undefined
      : new Promise<never>(
          (_, reject) => (timer = setTimeout(() => reject(new UploadTimeoutError(timeoutMs)), timeoutMs)),
        );
  // A read still pending when time runs out rejects once the stream is cancelled; nobody awaits it then.
  expired?.catch(() => {});
  try {
    for (;;) {
      const read = reader.read().catch((error: unknown) => {
        throw new BodyAbortedError(total, error);
      });
      const { done, value } = await (expired ? Promise.race([read, expired]) : read);
      if (done) break;
      // A non-byte chunk would make the count NaN and slip past the limit.
      if (!(value instanceof Uint8Array))
        throw new TypeError('readLimited: the body stream yielded a chunk that is not a Uint8Array');
      total += value.byteLength;
      if (total > limit) throw new PayloadTooLargeError(limit);
      if (value.byteLength > 0) chunks.push(value);
    }
  } catch (error) {
    // Cancelling tells the source to stop producing; not awaited, so a source whose cancel never
    // settles cannot hold the request open.
    reader.cancel(error).catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }

  if (total === 0) throw new EmptyBodyError();
  // Always a fresh copy: it is typed for `Response`/`crypto.subtle` and shares nothing with the stream's buffers.
  return concat(chunks);
}
