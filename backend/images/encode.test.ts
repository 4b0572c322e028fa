import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import type { ApiError } from '../errors.ts';
import { createImageEncoder, widthsFor } from './encode.ts';

const encoder = createImageEncoder({ maxPixels: 25e6, maxFrames: 100, maxAnimationPixels: 100e6 });

/** A grey picture with a patch of coloured noise at `left`: what draws the eye, away from the centre. */
async function patchAt(width: number, height: number, left: number): Promise<Buffer> {
  const patch = await sharp({
    create: {
      width: 150,
      height: 150,
      channels: 3,
      background: '#888',
      noise: { type: 'gaussian', mean: 128, sigma: 90 },
    },
  })
    .png()
    .toBuffer();
  return sharp({ create: { width, height, channels: 3, background: '#808080' } })
    .composite([{ input: patch, left, top: 25 }])
    .jpeg()
    .toBuffer();
}

/** Four frames of four colours, 80 × 80: nothing an encoder may merge. */
async function fourFrameGif(): Promise<Buffer> {
  const frames = await Promise.all(
    ['#f00', '#0f0', '#00f', '#ff0'].map((colour) =>
      sharp({ create: { width: 80, height: 80, channels: 3, background: colour } })
        .raw()
        .toBuffer(),
    ),
  );
  return sharp(Buffer.concat(frames), { raw: { width: 80, height: 320, channels: 3, pageHeight: 80 } as never })
    .gif({ delay: [100, 100, 100, 100] })
    .toBuffer();
}

test("widths: the standard ones that fit, and the picture's own size when it is well past them", () => {
  assert.deepEqual(widthsFor(3024), [64, 96, 128, 256, 512]);
  assert.deepEqual(widthsFor(512), [64, 96, 128, 256, 512]);
  assert.deepEqual(widthsFor(300), [64, 96, 128, 256], '300 is close enough to 256');
  assert.deepEqual(widthsFor(400), [64, 96, 128, 256, 400]);
  assert.deepEqual(widthsFor(100), [64, 96]);
  assert.deepEqual(widthsFor(40), [40], 'never wider than the picture');
});

test('a phone-sized photo becomes five square WebP copies and a preview of three colours', async () => {
  const photo = await sharp({
    create: {
      width: 4032,
      height: 3024,
      channels: 3,
      background: '#557799',
      noise: { type: 'gaussian', mean: 120, sigma: 40 },
    },
  })
    .jpeg({ quality: 90 })
    .toBuffer();
  const { variants, preview } = await encoder.encode(photo);
  assert.deepEqual(
    variants.map((v) => v.width),
    [64, 96, 128, 256, 512],
  );
  for (const variant of variants) {
    const meta = await sharp(variant.data).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['webp', variant.width, variant.width]);
    assert.ok(variant.data.byteLength < photo.byteLength / 20, `${variant.width}: ${variant.data.byteLength} bytes`);
  }
  assert.match(preview, /^[0-9a-f]{18}$/);
});

/** The three colours of a preview, top to bottom, as [r, g, b]. */
const colours = (preview: string) =>
  Array.from({ length: 3 }, (_, i) => [0, 2, 4].map((at) => parseInt(preview.slice(i * 6 + at, i * 6 + at + 2), 16)));

test("the preview is the picture's colours by band, top to bottom, transparency laid on white; a grey picture's too", async () => {
  // Blue on the top third, red on the middle one, the rest transparent.
  const picture = await sharp({ create: { width: 300, height: 300, channels: 4, background: '#0000' } })
    .composite([
      { input: { create: { width: 300, height: 100, channels: 4, background: '#0000ff' } }, left: 0, top: 0 },
      { input: { create: { width: 300, height: 100, channels: 4, background: '#ff0000' } }, left: 0, top: 100 },
    ])
    .png()
    .toBuffer();
  const [top, middle, bottom] = colours((await encoder.encode(picture)).preview);
  const near = (got: number[], want: number[], where: string) =>
    assert.ok(
      got.every((c, i) => Math.abs(c - want[i]!) <= 32),
      `${where}: ${got} against ${want}`,
    );
  near(top!, [0, 0, 255], 'top');
  near(middle!, [255, 0, 0], 'middle');
  near(bottom!, [255, 255, 255], 'bottom, transparent');
  const grey = await sharp({ create: { width: 80, height: 80, channels: 3, background: '#777777' } })
    .grayscale()
    .png()
    .toBuffer();
  assert.equal((await encoder.encode(grey)).preview, '777777'.repeat(3));
});

test('a picture stored with a 16-px WebP preview gets its colours from it; one that does not decode is refused', async () => {
  const old = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#336699' } })
    .webp({ quality: 40 })
    .toBuffer();
  const grid = colours(await encoder.previewOf(`data:image/webp;base64,${old.toString('base64')}`));
  for (const colour of grid)
    assert.ok(Math.abs(colour[2]! - 0x99) <= 8 && Math.abs(colour[0]! - 0x33) <= 8, `${colour}`);
  await assert.rejects(encoder.previewOf('data:image/webp;base64,AAAA'));
});

test('the square keeps what draws the eye, not the centre', async () => {
  const { variants } = await encoder.encode(await patchAt(600, 200, 430));
  const { channels } = await sharp(variants.at(-1)!.data).stats();
  assert.ok(
    channels[0]!.stdev > 20,
    `the noisy patch at the right edge is in the square (stdev ${channels[0]!.stdev.toFixed(1)})`,
  );
});

test('EXIF orientation is applied: a photo taken sideways comes out upright', async () => {
  // Stored with its top half red and orientation 6: shown turned a quarter clockwise, so red on the right.
  const top = await sharp({ create: { width: 100, height: 50, channels: 3, background: '#ff0000' } })
    .png()
    .toBuffer();
  const sideways = await sharp({ create: { width: 100, height: 100, channels: 3, background: '#0000ff' } })
    .composite([{ input: top, left: 0, top: 0 }])
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer();
  const { variants } = await encoder.encode(sideways);
  const { data, info } = await sharp(variants[0]!.data).raw().toBuffer({ resolveWithObject: true });
  const red = (x: number, y: number) => data[(y * info.width + x) * info.channels]! > 128;
  const middle = Math.floor(info.width / 2);
  assert.deepEqual([red(2, middle), red(info.width - 3, middle)], [false, true], 'left blue, right red');
  assert.deepEqual(
    [red(middle - 20, 2), red(middle - 20, info.width - 3)],
    [false, false],
    'not red at the top, as stored',
  );
});

test('an animation stays animated, with at most maxFrames frames', async () => {
  const gif = await fourFrameGif();
  assert.equal((await sharp(gif).metadata()).pages, 4);
  const all = await encoder.encode(gif);
  const meta = await sharp(all.variants[0]!.data, { animated: true }).metadata();
  assert.equal(meta.pages, 4);
  const capped = await createImageEncoder({ maxPixels: 25e6, maxFrames: 2, maxAnimationPixels: 100e6 }).encode(gif);
  assert.equal((await sharp(capped.variants[0]!.data, { animated: true }).metadata()).pages, 2);
});

test('limits are checked on the headers: too many pixels a frame, or in all frames, is 413; bytes cut short are 415', async () => {
  const gif = await fourFrameGif(); // 6,400 pixels a frame, 25,600 in all
  await assert.rejects(
    createImageEncoder({ maxPixels: 5_000, maxFrames: 100, maxAnimationPixels: 1e9 }).encode(gif),
    (e: ApiError) => e.status === 413 && /MAX_IMAGE_PIXELS/.test(e.message),
  );
  await assert.rejects(
    createImageEncoder({ maxPixels: 1e6, maxFrames: 100, maxAnimationPixels: 20_000 }).encode(gif),
    (e: ApiError) => e.status === 413 && /MAX_ANIMATION_PIXELS/.test(e.message),
  );
  const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123456' } })
    .jpeg()
    .toBuffer();
  await assert.rejects(encoder.encode(jpeg.subarray(0, 40)), (e: ApiError) => e.status === 415);
});
