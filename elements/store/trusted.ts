/**
 * What the page and its service worker accept as a picture, from the image service and from their own storage alike
 * (a compromised service, or another script of the origin, may have written either): a `data:` or `javascript:` URL
 * in an `<img>`, or an SVG or HTML Blob turned into a `blob:` URL of the page's origin, could run script.
 */

/**
 * A picture's URL: absolute http or https (the store resolves the service's paths before keeping them), with no
 * whitespace, which would let it name a second candidate in `srcset`.
 */
export const isWebUrl = (url: unknown): url is string => typeof url === 'string' && /^https?:\/\/\S+$/.test(url);

/**
 * A preview: three colours as 18 lowercase hex digits, nothing else, since the element writes them into a style as
 * they are (`previewBackground`).
 */
export const isPreview = (preview: unknown): preview is string =>
  typeof preview === 'string' && /^[0-9a-f]{18}$/.test(preview);

/** Bytes kept or shown as a picture: a raster image type, exactly (no SVG, no HTML, no missing type). */
export const isRasterType = (type: string | null | undefined): boolean =>
  /^image\/(webp|png|jpeg|gif|avif)$/.test(type ?? '');
