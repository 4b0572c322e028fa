import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode } from '../contract/picture.ts';

/** An expected failure, answered as `{"error": {"code", "message"}}` with `status` by the app's one `onError`. */
export class ApiError extends HTTPException {
  readonly code: ErrorCode;
  readonly headers: Record<string, string>;
  /** Logged as one line although it is no 5xx: the operator should hear of it (an upload its client gave up). */
  readonly log: boolean;

  constructor(
    status: ContentfulStatusCode,
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; headers?: Record<string, string>; log?: boolean } = {},
  ) {
    super(status, { message, cause: options.cause });
    this.code = code;
    this.headers = options.headers ?? {};
    this.log = options.log ?? false;
  }
}

/** How long a client should wait before retrying a request that failed because a part is down. */
export const RETRY_AFTER_SECONDS = 5;

/** The storage could not be reached: the client may retry. */
export function storageUnavailable(cause: unknown): ApiError {
  return new ApiError(503, 'storage_unavailable', 'The picture storage cannot be reached; try again shortly.', {
    cause,
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  });
}

/** The cache could not be reached, for a call that needs the cache itself. */
export function cacheUnavailable(cause: unknown): ApiError {
  return new ApiError(503, 'cache_unavailable', 'The cache cannot be reached; try again shortly.', {
    cause,
    headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
  });
}

/** The error code for a status that was not raised as an ApiError (e.g. Hono's own 404). */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'bad_request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 408:
      return 'request_timeout';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 429:
      return 'too_many_requests';
    default:
      return 'internal';
  }
}
