/**
 * What every served byte is made by: the upload decoded once by libvips (`sharp`, on Node and Deno alike), turned
 * upright, cropped square around what draws the eye, and encoded again as small WebP copies. Nothing of the upload
 * but its pixels survives: no EXIF, XMP, ICC, comments, thumbnails or trailing bytes, whatever container they hid in.
 */
import sharp, { type Sharp } from 'sharp';
import { VARIANT_WIDTHS } from '../../contract/picture.ts';
import { ApiError } from '../errors.ts';

/** One encoded copy. */
export interface EncodedVariant {
  width: number;
  data: Uint8Array<ArrayBuffer>;
}

/** Everything made from one upload. */
export interface EncodedPicture {
  /** Narrowest first; all `image/webp`. */
  variants: EncodedVariant[];
  /** The picture's colours in three bands, top to bottom, as `PictureMeta.preview` carries them. */
  preview: string;
}

/** Makes the served copies of an uploaded image. */
export interface ImageEncoder {
  /**
   * @throws {ApiError} 415 when the bytes cannot be decoded as an image; 413 when an animation's frames hold more
   * pixels than allowed in all.
   */
  encode(input: Uint8Array): Promise<EncodedPicture>;
  /**
   * The `preview` of a picture stored before previews were colours, from the 16-px `data:image/webp` URL it carries.
   * @throws when that URL does not decode.
   */
  previewOf(placeholder: string): Promise<string>;
}

export interface ImageLimits {
  /** The most pixels one frame (or a still image) may have (`MAX_IMAGE_PIXELS`). */
  maxPixels: number;
  /** Frames past this are dropped from an animation (`MAX_IMAGE_FRAMES`). */
  maxFrames: number;
  /** The most pixels all decoded frames of an animation may hold together (`MAX_ANIMATION_PIXELS`). */
  maxAnimationPixels: number;
}

/** WebP quality for the copies: at these sizes 80 is indistinguishable from the source and a third of 95's bytes. */
const QUALITY = 80;
/** The preview's bands, top to bottom. */
const PREVIEW_BANDS = 3;

// libvips keeps recent operations cached, which in a server only holds memory that the next upload does not reuse.
sharp.cache(false);

/**
 * The widths to make for a square of `side` pixels: the standard ones that fit, and the side itself when it is
 * well past the largest that fits (so a 500-px upload is not cut down to 256), never wider than the picture.
 */
export function widthsFor(side: number): number[] {
  const widths: number[] = VARIANT_WIDTHS.filter((width) => width <= side);
  const largest = widths.at(-1);
  if (largest === undefined || (side < VARIANT_WIDTHS.at(-1)! && side >= largest * 1.25)) widths.push(side);
  return widths;
}

/**
 * The encoder on libvips. Limits are checked on the headers before any pixel is decoded.
 *
 * @example
 * const encoder = createImageEncoder({ maxPixels: 25e6, maxFrames: 100, maxAnimationPixels: 100e6 });
 * const { variants, preview } = await encoder.encode(upload);
 */
export function createImageEncoder(limits: ImageLimits): ImageEncoder {
  return {
    async encode(input) {
      const header = await sharp(input, { animated: true, limitInputPixels: false }).metadata().catch(undecodable);
      const frames = Math.min(header.pages ?? 1, limits.maxFrames);
      const frameHeight = header.pageHeight ?? header.height;
      const framePixels = header.width * frameHeight;
      if (!(framePixels > 0)) throw undecodable(new Error('it states no size'));
      if (framePixels > limits.maxPixels)
        throw tooManyPixels(`${framePixels.toLocaleString('en')} pixels a frame`, limits.maxPixels, 'MAX_IMAGE_PIXELS');
      if (framePixels * frames > limits.maxAnimationPixels) {
        throw tooManyPixels(
          `${frames} frames of ${framePixels.toLocaleString('en')} pixels`,
          limits.maxAnimationPixels,
          'MAX_ANIMATION_PIXELS',
        );
      }
      const animated = frames > 1;
      const side = Math.min(header.width, frameHeight, VARIANT_WIDTHS.at(-1)!);
      // Decoded once, to the largest square; every copy is made from these pixels.
      const square = await sharp(input, { animated, pages: frames, limitInputPixels: framePixels * frames })
        .rotate()
        .resize(side, side, { fit: 'cover', position: animated ? 'centre' : 'attention' })
        .raw()
        .toBuffer({ resolveWithObject: true })
        .catch(undecodable);
      const { width, height, channels } = square.info;
      const raw = { width, height, channels, ...(animated ? { pageHeight: side } : {}) };
      const timing = animated ? { delay: header.delay?.slice(0, frames), loop: header.loop ?? 0 } : {};
      const variants: EncodedVariant[] = [];
      for (const variantWidth of widthsFor(side)) {
        const data = await sharp(square.data, { raw, animated })
          .resize(variantWidth, variantWidth)
          .webp({ quality: QUALITY, ...timing })
          .toBuffer();
        variants.push({ width: variantWidth, data: new Uint8Array(data) });
      }
      // An animation's first frame.
      const first = sharp(square.data, { raw: { width, height, channels } }).extract({
        left: 0,
        top: 0,
        width: side,
        height: side,
      });
      return { variants, preview: await previewColours(first) };
    },
    previewOf(placeholder) {
      return previewColours(sharp(Buffer.from(placeholder.slice(placeholder.indexOf(',') + 1), 'base64')));
    },
  };
}

/**
 * Each third of the image, top to bottom, averaged to one colour, as hex. Transparency is laid on white first: a
 * colour and no alpha is what the page's gradient draws.
 */
async function previewColours(image: Sharp): Promise<string> {
  const grid = await image
    .flatten({ background: '#ffffff' })
    .resize(1, PREVIEW_BANDS, { fit: 'fill' })
    .toColourspace('srgb')
    .raw()
    .toBuffer();
  return grid.toString('hex');
}

function undecodable(error: unknown): never {
  throw new ApiError(
    415,
    'unsupported_media_type',
    `The image cannot be decoded: ${(error as Error).message.split('\n')[0]}`,
    { cause: error },
  );
}

function tooManyPixels(what: string, limit: number, variable: string): ApiError {
  return new ApiError(
    413,
    'payload_too_large',
    `The image has ${what}; at most ${limit.toLocaleString('en')} are accepted (${variable}). Send a smaller picture.`,
  );
}
