/**
 * Phone-like photos for the realistic benchmarks: 4032×3024 JPEGs at quality 90, ~3.4 MB, as a 12-megapixel phone
 * camera saves them. Each is a scene of soft shapes on a gradient (a different one for every index, so every file and
 * every small copy differs, and a 96-px copy weighs what a real face's does, 1–2 KB of WebP) under sensor-like
 * Gaussian noise, slightly blurred (the noise is what makes a photo's JPEG weigh megabytes). Noise alone would be a
 * poor stand-in: scaled to 96 px it averages out to one flat colour of ~90 bytes.
 *
 * Making one takes ~2 s, so they are kept in the system's temporary directory and made again only when missing.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

export const PHOTO_WIDTH = 4032;
export const PHOTO_HEIGHT = 3024;
/** Bump when the recipe changes, so photos made by an older one are not used. */
const RECIPE = 'v1';
const dir = join(tmpdir(), `bench-phone-photos-${RECIPE}`);

let noise: Promise<Buffer> | undefined;
/** One field of noise for all photos (mid-grey, σ 15), laid over each scene. */
const noiseField = () =>
  (noise ??= sharp({
    create: {
      width: PHOTO_WIDTH,
      height: PHOTO_HEIGHT,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 15 },
    },
  })
    .raw()
    .toBuffer());

/** A small seeded generator, so photo `index` always shows the same scene. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** The scene of photo `index`, as SVG at a quarter of the size (scaled up, it is soft anyway). */
function scene(index: number): string {
  const next = random(index + 1);
  const colour = () =>
    `hsl(${Math.floor(next() * 360)},${40 + Math.floor(next() * 40)}%,${30 + Math.floor(next() * 40)}%)`;
  const [w, h] = [PHOTO_WIDTH / 4, PHOTO_HEIGHT / 4];
  let shapes = '';
  for (let k = 0; k < 40; k++) {
    const [least, spread] = k < 10 ? [80, 300] : [10, 80];
    shapes += `<ellipse cx="${next() * w}" cy="${next() * h}" rx="${least + next() * spread}" ry="${least + next() * spread}" fill="${colour()}" opacity="${0.4 + next() * 0.6}"/>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${colour()}"/><stop offset="1" stop-color="${colour()}"/></linearGradient></defs><rect width="100%" height="100%" fill="url(#g)"/>${shapes}</svg>`;
}

async function make(index: number): Promise<Buffer> {
  const base = await sharp(Buffer.from(scene(index)))
    .resize(PHOTO_WIDTH, PHOTO_HEIGHT)
    .png({ compressionLevel: 0 })
    .toBuffer();
  return sharp(base)
    .composite([
      { input: await noiseField(), raw: { width: PHOTO_WIDTH, height: PHOTO_HEIGHT, channels: 3 }, blend: 'overlay' },
    ])
    .blur(0.8)
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** Photo `index` (any integer ≥ 0): read from the cache, else made and kept there. */
export async function phonePhoto(index: number): Promise<Uint8Array<ArrayBuffer>> {
  const file = join(dir, `photo-${index}.jpg`);
  try {
    return new Uint8Array(await readFile(file));
  } catch {
    if (index % 10 === 0) process.stderr.write(`making phone photos from #${index} (~2 s each, kept in ${dir})\n`);
    const photo = await make(index);
    await mkdir(dir, { recursive: true });
    await writeFile(`${file}.part`, photo);
    await rename(`${file}.part`, file);
    return new Uint8Array(photo);
  }
}

/** Photos `0` to `count - 1`. */
export async function phonePhotos(count: number): Promise<Uint8Array<ArrayBuffer>[]> {
  const photos: Uint8Array<ArrayBuffer>[] = [];
  for (let i = 0; i < count; i++) photos.push(await phonePhoto(i));
  return photos;
}
