import { PNG_SIGNATURE } from '../png.ts';
import { hasAscii, readU32be } from './bytes.ts';
import { ImageType } from './image-type.ts';

/**
 * Decides the image type from the leading magic bytes alone, never from a file name or a client's
 * `Content-Type`, which an uploader controls. SVG (scriptable), HEIC (not decodable by most browsers),
 * BMP, text and anything else answer `null`.
 *
 * @example
 * sniffImageType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])); // 'image/jpeg'
 */
export function sniffImageType(bytes: Uint8Array): ImageType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return ImageType.jpeg;
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return ImageType.png;
  if (hasAscii(bytes, 0, 'RIFF') && hasAscii(bytes, 8, 'WEBP')) return ImageType.webp;
  if (hasAscii(bytes, 0, 'GIF87a') || hasAscii(bytes, 0, 'GIF89a')) return ImageType.gif;
  if (isAvif(bytes)) return ImageType.avif;
  return null;
}

/**
 * AVIF is an ISOBMFF file whose leading `ftyp` box names `avif` (still) or `avis` (sequence) as its
 * major or a compatible brand. HEIC has the same container with `heic`/`mif1` brands, so the brand decides.
 */
function isAvif(bytes: Uint8Array): boolean {
  if (bytes.length < 16 || !hasAscii(bytes, 4, 'ftyp')) return false;
  const size = readU32be(bytes, 0);
  // size, type, major brand and minor version are 16 bytes; a box cannot extend past the data we have.
  if (size < 16 || size > bytes.length) return false;
  const isAvifBrand = (at: number) => hasAscii(bytes, at, 'avif') || hasAscii(bytes, at, 'avis');
  if (isAvifBrand(8)) return true;
  for (let at = 16; at + 4 <= size; at += 4) {
    if (isAvifBrand(at)) return true;
  }
  return false;
}
