/** Uploads: read the body within a limit, decide the type from its bytes, strip metadata losslessly. */
export { ImageType } from './image-type.ts';
export { InvalidImageError, type ImageFormatName } from './invalid-image-error.ts';
export { EmptyBodyError, PayloadTooLargeError, readLimited } from './read-limited.ts';
export { sniffImageType } from './sniff.ts';
export { stripMetadata } from './strip-metadata.ts';
