/** The picture types the image service takes (it reads the type from the bytes; this is the page's first word). */
export const ACCEPTED_TYPES: Readonly<Record<string, string>> = {
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/webp': 'WebP',
  'image/gif': 'GIF',
  'image/avif': 'AVIF',
};

/** The service's default upload limit; a service set lower answers 413 with its own message. */
export const MAX_PICTURE_BYTES = 20 * 1024 * 1024;

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * Why `file` cannot be a profile picture, in words for the person who chose it, or `undefined` when it can.
 *
 * @example
 * checkPicture({ name: 'cv.pdf', type: 'application/pdf', size: 80_000 }); // '“cv.pdf” is a PDF document, …'
 */
export function checkPicture(file: Pick<File, 'name' | 'type' | 'size'>): string | undefined {
  const accepted = `Choose a ${Object.values(ACCEPTED_TYPES)
    .join(', ')
    .replace(/, (\w+)$/, ' or $1')} image.`;
  if (file.type === 'image/svg+xml')
    return `“${file.name}” is an SVG drawing, which can carry scripts, so it is not taken. ${accepted}`;
  if (!ACCEPTED_TYPES[file.type])
    return `“${file.name}” is ${describe(file.type)}, not a picture this site takes. ${accepted}`;
  if (file.size === 0) return `“${file.name}” is empty. ${accepted}`;
  if (file.size > MAX_PICTURE_BYTES) {
    return `“${file.name}” is ${megabytes(file.size)}; a picture can be at most ${megabytes(MAX_PICTURE_BYTES)}. Choose a smaller one.`;
  }
  return undefined;
}

function describe(type: string): string {
  if (!type) return 'a file of unknown type';
  if (type === 'application/pdf') return 'a PDF document';
  if (type.startsWith('image/')) return `a ${type.slice(6).toUpperCase()} image`;
  if (type.startsWith('text/')) return 'a text file';
  if (type.startsWith('video/')) return 'a video';
  return `a ${type} file`;
}
