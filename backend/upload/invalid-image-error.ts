/** The format names used in messages, as people write them. */
export type ImageFormatName = 'JPEG' | 'PNG' | 'WebP' | 'GIF' | 'AVIF';

/**
 * The bytes claim to be an image of `format` but their structure is broken (truncated, a length that
 * points past the end, missing magic). Routes answer it with 400 or 415: the upload is at fault, not the server.
 *
 * @example
 * throw new InvalidImageError('PNG', 'the IDAT chunk at offset 80 claims 9000 bytes but only 12 remain');
 */
export class InvalidImageError extends Error {
  readonly format: ImageFormatName;

  constructor(format: ImageFormatName, problem: string) {
    super(`Not a valid ${format} file: ${problem}`);
    this.name = 'InvalidImageError';
    this.format = format;
  }
}
