// An animation is bounded in total, not only per frame: a few kilobytes of GIF can claim hundreds of frames of
// 25 megapixels each, every frame within MAX_IMAGE_PIXELS. The running service (Node and Deno) refuses it from its
// headers, before any frame is decoded, and stores nothing.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { startEmbedded } from './testing/stack.ts';
import { TEST_ADMIN_TOKEN } from './testing/tokens.ts';

const u16leBytes = (n: number) => [n & 0xff, n >> 8];

/**
 * A GIF of `frames` frames of `width` × `height`, each a single LZW clear code: what a decoder would expand to
 * `frames × width × height` pixels from ~23 bytes a frame.
 */
function gifOfManyFrames(frames: number, width: number, height: number): Uint8Array<ArrayBuffer> {
  const bytes = [
    ...new TextEncoder().encode('GIF89a'),
    ...u16leBytes(width),
    ...u16leBytes(height),
    0x80,
    0,
    0,
    0,
    0,
    0,
    0xff,
    0xff,
    0xff,
    // Loop for ever, as animated avatars do.
    0x21,
    0xff,
    11,
    ...new TextEncoder().encode('NETSCAPE2.0'),
    3,
    1,
    0,
    0,
    0,
  ];
  for (let i = 0; i < frames; i++) {
    bytes.push(0x21, 0xf9, 4, 0, 10, 0, 0, 0);
    bytes.push(0x2c, 0, 0, 0, 0, ...u16leBytes(width), ...u16leBytes(height), 0);
    bytes.push(2, 2, 0x44, 0x01, 0);
  }
  bytes.push(0x3b);
  return new Uint8Array(bytes);
}

for (const runtime of ['node', 'deno'] as const) {
  describe(`animation limits (${runtime})`, () => {
    test('308 frames of 5,000 × 5,000 (7.7 gigapixels in 7 KB) are refused with 413 naming MAX_ANIMATION_PIXELS; nothing is stored', async () => {
      const target = await startEmbedded(runtime, { MAX_UPLOAD_BYTES: String(1024 * 1024) });
      try {
        const gif = gifOfManyFrames(308, 5_000, 5_000);
        const res = await fetch(`${target.base}/api/pictures/ada`, {
          method: 'PUT',
          body: gif,
          headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'Content-Type': 'image/gif' },
        });
        const body = (await res.json()) as { error: { code: string; message: string } };
        assert.equal(res.status, 413, JSON.stringify(body));
        assert.equal(body.error.code, 'payload_too_large');
        assert.match(body.error.message, /MAX_ANIMATION_PIXELS/);
        assert.equal((await fetch(`${target.base}/api/pictures/ada`)).status, 404);
        const stored = await readdir(target.dataDir, { recursive: true }).catch(() => []);
        assert.deepEqual(
          stored.filter((name) => /ada/.test(String(name))),
          [],
        );
        // The service still serves: the refusal cost no decode.
        assert.equal((await fetch(`${target.base}/healthz`)).status, 200);
      } finally {
        await target.stop();
      }
    });
  });
}
