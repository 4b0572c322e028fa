/**
 * What the page and its service worker accept as a picture, from the image service and from their own storage alike
 * (a compromised service, or another script of the origin, may have written either): a `data:` or `javascript:` URL
 * in an `<img>`, or an SVG or HTML Blob turned into a `blob:` URL of the page's origin, could run script.
 */

import { PREVIEW_PATTERN } from '../../contract/picture.ts';

/**
 * A picture's URL: absolute http or https (the store resolves the service's paths before keeping them), with no
 * whitespace, which would let it name a second candidate in `srcset`.
 */
export const isWebUrl = (url: unknown): url is string => typeof url === 'string' && /^https?:\/\/\S+$/.test(url);

/** A preview as the contract has it (`PREVIEW_PATTERN`), since the element writes it into a style as it is. */
export const isPreview = (preview: unknown): preview is string =>
  typeof preview === 'string' && PREVIEW_PATTERN.test(preview);

/** Bytes kept or shown as a picture: a raster image type, exactly (no SVG, no HTML, no missing type). */
export const isRasterType = (type: string | null | undefined): boolean =>
  /^image\/(webp|png|jpeg|gif|avif)$/.test(type ?? '');
