import { ApiError } from '../errors.ts';
import { EmptyBodyError, PayloadTooLargeError, readLimited } from '../upload/read-limited.ts';

/** Room for the multipart boundaries and part headers around a file of the largest allowed size. */
const MULTIPART_OVERHEAD = 64 * 1024;

/**
 * The uploaded image's bytes: the raw body, or the multipart field `file`. The limit is enforced while reading
 * (and at once from Content-Length), so an oversized body is refused without being buffered.
 */
export async function readUpload(request: Request, maxBytes: number): Promise<Uint8Array> {
  const type = request.headers.get('Content-Type') ?? '';
  const multipart = /^multipart\/form-data/i.test(type);
  const limit = multipart ? maxBytes + MULTIPART_OVERHEAD : maxBytes;
  const declared = Number(request.headers.get('Content-Length') ?? NaN);
  if (declared > limit) throw tooLarge(maxBytes);
  let body: Uint8Array<ArrayBuffer>;
  try {
    body = await readLimited(request.body, limit);
  } catch (error) {
    if (error instanceof PayloadTooLargeError) throw tooLarge(maxBytes);
    if (error instanceof EmptyBodyError) throw new ApiError(400, 'bad_request', error.message);
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
