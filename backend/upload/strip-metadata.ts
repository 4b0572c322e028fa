import { ImageType } from './image-type.ts';
import { stripAvif } from './strip-avif.ts';
import { stripGif } from './strip-gif.ts';
import { stripJpeg } from './strip-jpeg.ts';
import { stripPng } from './strip-png.ts';
import { stripWebp } from './strip-webp.ts';

// Re-exported because callers of stripMetadata catch it.
export { InvalidImageError } from './invalid-image-error.ts';

const strippers: Record<ImageType, (bytes: Uint8Array) => Uint8Array<ArrayBuffer>> = {
  [ImageType.jpeg]: stripJpeg,
  [ImageType.png]: stripPng,
  [ImageType.webp]: stripWebp,
  [ImageType.gif]: stripGif,
  [ImageType.avif]: stripAvif,
};

/**
 * Removes location and other identifying metadata (Exif, XMP, IPTC, comments) from an image, losslessly:
 * the container is edited at the byte level and the compressed pixels are never decoded or re-encoded.
 * A JPEG keeps its Exif Orientation. The result is a new array; `bytes` is not modified, and stripping a
 * stripped image gives the same bytes.
 *
 * @param type what `sniffImageType` said about `bytes`.
 * @throws {InvalidImageError} when the bytes are not a well-formed image of `type`.
 * @example
 * const type = sniffImageType(bytes);
 * if (type === null) throw new HTTPException(415, { message: 'send a JPEG, PNG, WebP, GIF or AVIF image' });
 * const clean = stripMetadata(bytes, type);
 */
export function stripMetadata(bytes: Uint8Array, type: ImageType): Uint8Array<ArrayBuffer> {
  const strip = Object.hasOwn(strippers, type) ? strippers[type] : undefined;
  if (strip === undefined) throw new TypeError(`stripMetadata: unsupported image type ${JSON.stringify(type)}`);
  return strip(bytes);
}
