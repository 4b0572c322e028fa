import { ApiError } from '../errors.ts';
import { claimedPixels } from '../upload/image-size.ts';
import { InvalidImageError } from '../upload/invalid-image-error.ts';
import {
  BodyAbortedError,
  EmptyBodyError,
  PayloadTooLargeError,
  readLimited,
  UploadTimeoutError,
} from '../upload/read-limited.ts';
import { sniffImageType } from '../upload/sniff.ts';

/** What an upload may be: its bytes, how long its body may take to arrive, and how many pixels it may claim. */
export interface UploadLimits {
  maxBytes: number;
  timeoutMs: number;
  maxPixels: number;
}

/** Room for the multipart boundaries and part headers around a file of the largest allowed size. */
const MULTIPART_OVERHEAD = 64 * 1024;

/**
 * The most bytes reading this upload's body can hold: its `Content-Length` when that is within the limit, else the
 * limit (a body without one, chunked, is cut off there; one that declares more is refused unread).
 */
export function heldBytes(request: Request, maxBytes: number): number {
  const limit = bodyLimit(request, maxBytes);
  const declared = Number(request.headers.get('Content-Length') ?? NaN);
  return declared >= 0 && declared <= limit ? declared : limit;
}

/**
 * The uploaded image's bytes: the raw body, or the multipart field `file`. The size limit is enforced while reading
 * (and at once from Content-Length), so an oversized body is refused without being buffered; a body that has not
 * arrived within `timeoutMs` is cut off (408); an image whose headers claim more than `maxPixels` is refused (413)
 * before anything decodes it.
 */
export async function readUpload(
  request: Request,
  { maxBytes, timeoutMs, maxPixels }: UploadLimits,
): Promise<Uint8Array> {
  const bytes = await readImageBytes(request, maxBytes, timeoutMs);
  const type = sniffImageType(bytes);
  // Not an image the service takes: the upload refuses it with 415, saying which types it takes.
  if (!type) return bytes;
  let pixels: number;
  try {
    pixels = claimedPixels(bytes, type);
  } catch (error) {
    if (error instanceof InvalidImageError) throw new ApiError(415, 'unsupported_media_type', error.message);
    throw error;
  }
  if (pixels > maxPixels) {
    throw new ApiError(
      413,
      'payload_too_large',
      `The image claims ${pixels.toLocaleString('en')} pixels; at most ${maxPixels.toLocaleString('en')} are accepted (MAX_IMAGE_PIXELS). Send a smaller picture.`,
    );
  }
  return bytes;
}

const isMultipart = (type: string) => /^multipart\/form-data/i.test(type);

function bodyLimit(request: Request, maxBytes: number): number {
  return isMultipart(request.headers.get('Content-Type') ?? '') ? maxBytes + MULTIPART_OVERHEAD : maxBytes;
}

async function readImageBytes(request: Request, maxBytes: number, timeoutMs: number): Promise<Uint8Array> {
  const type = request.headers.get('Content-Type') ?? '';
  const multipart = isMultipart(type);
  const limit = bodyLimit(request, maxBytes);
  const declared = Number(request.headers.get('Content-Length') ?? NaN);
  if (declared > limit) throw tooLarge(maxBytes);
  let body: Uint8Array<ArrayBuffer>;
  try {
    body = await readLimited(request.body, limit, { timeoutMs });
  } catch (error) {
    if (error instanceof PayloadTooLargeError) throw tooLarge(maxBytes);
    // Its own code, not bad_request: nothing was wrong with the request but its pace, and it may be sent again as is.
    if (error instanceof UploadTimeoutError)
      throw new ApiError(
        408,
        'request_timeout',
        `The image did not arrive within ${timeoutMs / 1000} s (UPLOAD_TIMEOUT_MS); send it again over a faster connection.`,
        { headers: { Connection: 'close' } },
      );
    if (error instanceof EmptyBodyError) throw new ApiError(400, 'bad_request', error.message);
    // Nobody reads the answer; the log gets one line instead of the stream's stack.
    if (error instanceof BodyAbortedError)
      throw new ApiError(400, 'upload_aborted', 'The upload broke off before its body had arrived; send it again.', {
        cause: error,
        log: true,
      });
    throw error;
  }
  if (!multipart) return body;
  let file: FormDataEntryValue | null;
  try {
    file = (await new Response(body, { headers: { 'Content-Type': type } }).formData()).get('file');
  } catch (error) {
    throw new ApiError(400, 'bad_request', 'The multipart body cannot be parsed.', { cause: error });
  }
  if (!(file instanceof Blob)) throw new ApiError(400, 'bad_request', 'The multipart body has no file field "file".');
  if (file.size > maxBytes) throw tooLarge(maxBytes);
  if (file.size === 0) throw new ApiError(400, 'bad_request', 'The file field "file" is empty.');
  return new Uint8Array(await file.arrayBuffer());
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError(413, 'payload_too_large', `The image is larger than ${maxBytes} bytes (MAX_UPLOAD_BYTES).`);
}
