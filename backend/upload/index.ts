/**
 * Uploads: read the body within a limit, decide the type from its bytes, read the pixels it claims from its headers.
 */
export { ImageType } from './image-type.ts';
export { InvalidImageError, type ImageFormatName } from './invalid-image-error.ts';
export { claimedPixels } from './image-size.ts';
export { EmptyBodyError, PayloadTooLargeError, readLimited, UploadTimeoutError } from './read-limited.ts';
export { sniffImageType } from './sniff.ts';
