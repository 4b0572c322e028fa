/** The image formats the service accepts, by media type. An object rather than an `enum`, so it is plain JS. */
export const ImageType = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
} as const;

export type ImageType = (typeof ImageType)[keyof typeof ImageType];
