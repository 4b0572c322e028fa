// Pictures stored before copies were made (the upload itself under its version, and the pointer of that time),
// as a deployment of the earlier service left them on files and on S3: they show through copies at the first
// lookup, with no new upload, made once however many lookups ask at once.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from 'minio';
import sharp from 'sharp';
import type { PictureBatch, PictureMeta } from '../contract/picture.ts';
import { createApp } from './app.ts';
import { createMemoryCache, createMemoryEventBus } from './cache/memory.ts';
import type { ImageEncoder } from './images/encode.ts';
import { createImageEncoder } from './images/encode.ts';
import { createFileStorage } from './storage/files.ts';
import { createMinioStorage, ensureBucket } from './storage/minio.ts';
import type { PictureStorage } from './storage/storage.ts';
import { versionOf } from './storage/version.ts';
import { noisyPng } from './testing/images.ts';
import { startS3Server, type S3Server } from './testing/s3-server.ts';

const REGION = 'eu-west-1';
const limits = { maxPixels: 25e6, maxFrames: 100, maxAnimationPixels: 100e6 };

/** An upload as the earlier service stored it, and its pointer. */
function legacy(seed: number) {
  const original = noisyPng(seed, 300);
  const version = seed.toString(16).padStart(32, '0');
  const pointer = JSON.stringify({
    version,
    contentType: 'image/png',
    bytes: original.byteLength,
    updatedAt: 1_690_000_000_000,
  });
  return { original, version, pointer };
}

/** Counts the encoder's calls: how many times copies were made. */
function countingEncoder(): ImageEncoder & { calls: number } {
  const real = createImageEncoder(limits);
  const counter = {
    calls: 0,
    encode: (input: Uint8Array) => {
      counter.calls++;
      return real.encode(input);
    },
    previewOf: real.previewOf,
  };
  return counter;
}

/** The service on `storage`, with an empty cache; `warnings` holds what it logs. */
function serviceOn(storage: PictureStorage) {
  const warnings: string[] = [];
  const app = createApp({
    cache: createMemoryCache(),
    storage,
    events: createMemoryEventBus(),
    auth: {},
    log: { warn: (line: string) => warnings.push(line), error() {} },
  });
  return { app, warnings };
}

interface Setup {
  storage: PictureStorage;
  /** Writes what the earlier service left for `userId`. */
  writeLegacy(userId: string, item: ReturnType<typeof legacy>): Promise<void>;
  /** Whether the upload kept for `version` is still stored. */
  hasOriginal(userId: string, version: string): Promise<boolean>;
}

function describeStoredBefore(name: string, setUp: () => Promise<Setup>) {
  describe(`pictures stored before copies were made, on ${name}`, () => {
    let setup: Setup;
    before(async () => {
      setup = await setUp();
    });

    test('the first lookups, fifty at once, make the copies once and every later lookup names them', async () => {
      const item = legacy(1);
      await setup.writeLegacy('ada', item);
      const images = countingEncoder();
      const app = createApp({
        cache: createMemoryCache(),
        storage: setup.storage,
        events: createMemoryEventBus(),
        auth: {},
        images,
      });
      const answers = await Promise.all(
        Array.from({ length: 50 }, () => app.request('/api/pictures?users=ada,nobody')),
      );
      const metas = await Promise.all(
        answers.map(async (res) => ((await res.json()) as PictureBatch).pictures.ada as PictureMeta),
      );
      assert.equal(images.calls, 1, 'copies made once');
      const meta = metas[0]!;
      assert.equal(meta.version, item.version, 'the same version: the picture did not change');
      assert.deepEqual(
        meta.variants.map((v) => v.width),
        [64, 96, 128, 256],
        'no copy wider than the picture',
      );
      assert.ok(metas.every((m) => m.url === meta.url));
      for (const variant of meta.variants) {
        const res = await app.request(variant.url);
        assert.equal(res.status, 200, variant.url);
        assert.equal(res.headers.get('Content-Type'), 'image/webp');
        assert.equal((await res.arrayBuffer()).byteLength, variant.bytes);
      }
      assert.equal(
        await setup.hasOriginal('ada', item.version),
        false,
        'the upload itself is gone once its copies are stored',
      );
      // A new process, with an empty cache, reads the copies from the storage: made once for good.
      const later = createApp({
        cache: createMemoryCache(),
        storage: setup.storage,
        events: createMemoryEventBus(),
        auth: {},
        images,
      });
      const again = (await (await later.request('/api/pictures/ada')).json()) as PictureMeta;
      assert.deepEqual(again.variants, meta.variants);
      assert.equal(images.calls, 1);
    });

    test('an upload kept that no decoder takes shows as no picture, logged, and no lookup fails', async () => {
      const item = legacy(2);
      await setup.writeLegacy('broken', { ...item, original: item.original.subarray(0, 60) });
      const { app, warnings } = serviceOn(setup.storage);
      assert.equal((await app.request('/api/pictures/broken')).status, 404);
      const batch = await app.request('/api/pictures?users=broken');
      assert.equal(batch.status, 200);
      assert.deepEqual(((await batch.json()) as PictureBatch).pictures, { broken: null });
      assert.ok(
        warnings.some((line) => line.includes('broken') && line.includes(item.version)),
        warnings.join('\n'),
      );
    });

    test("a picture stored with a 16-px image as its preview is answered with that image's colours; one whose image does not decode, with none", async () => {
      const { variants } = await createImageEncoder(limits).encode(noisyPng(4, 300));
      const files = variants.map((variant) => variant.data);
      const tiny = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#336699' } })
        .webp({ quality: 40 })
        .toBuffer();
      const stored = {
        version: await versionOf(files),
        updatedAt: 1_700_000_000_000,
        variants: variants.map(({ width, data }) => ({ width, bytes: data.byteLength })),
      };
      await setup.storage.put(
        'ines',
        { ...stored, placeholder: `data:image/webp;base64,${tiny.toString('base64')}` },
        files,
      );
      await setup.storage.put('jon', { ...stored, placeholder: 'data:image/webp;base64,AAAA' }, files);
      const { app, warnings } = serviceOn(setup.storage);
      const { pictures } = (await (await app.request('/api/pictures?users=ines,jon')).json()) as PictureBatch;
      const preview = pictures.ines?.preview ?? '';
      assert.match(preview, /^[0-9a-f]{18}$/);
      for (let i = 0; i < 3; i++) {
        const [r, g, b] = [0, 2, 4].map((at) => parseInt(preview.slice(i * 6 + at, i * 6 + at + 2), 16));
        assert.ok(Math.abs(r! - 0x33) <= 8 && Math.abs(g! - 0x66) <= 8 && Math.abs(b! - 0x99) <= 8, preview);
      }
      assert.equal(pictures.jon?.version, stored.version, 'the picture is answered');
      assert.equal(pictures.jon?.preview, undefined, 'without a preview');
      assert.ok(
        warnings.some((line) => line.includes('jon') && line.includes('preview')),
        warnings.join('\n'),
      );
      assert.ok(!('placeholder' in pictures.ines!), 'the image itself is not answered');
    });

    test('the URL of the upload itself, which an earlier page kept, leads to the copy it would show now', async () => {
      const item = legacy(3);
      await setup.writeLegacy('grace', item);
      const app = createApp({
        cache: createMemoryCache(),
        storage: setup.storage,
        events: createMemoryEventBus(),
        auth: {},
      });
      const res = await app.request(`/images/grace/${item.version}`);
      assert.equal(res.status, 301);
      const copy = await app.request(res.headers.get('Location')!);
      assert.equal(copy.status, 200);
      assert.equal(copy.headers.get('Content-Type'), 'image/webp');
    });
  });
}

let dir: string;
let s3: S3Server;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stored-before-'));
  s3 = await startS3Server({ region: REGION });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
  await s3?.stop();
});

describeStoredBefore('files', async () => {
  const storage = createFileStorage({ dir });
  await storage.ping();
  return {
    storage,
    async writeLegacy(userId, item) {
      await mkdir(join(dir, 'objects', userId), { recursive: true });
      await writeFile(join(dir, 'objects', userId, item.version), item.original);
      await writeFile(join(dir, 'current', `${userId}.json`), item.pointer);
    },
    async hasOriginal(userId, version) {
      return (await readdir(join(dir, 'objects', userId))).includes(version);
    },
  };
});

describeStoredBefore('S3', async () => {
  const client = new Client(s3.clientOptions);
  const bucket = 'stored-before';
  await ensureBucket({ client, bucket, region: REGION });
  const storage = createMinioStorage({ client, bucket, region: REGION });
  return {
    storage,
    async writeLegacy(userId, item) {
      await client.putObject(
        bucket,
        `pictures/${userId}/${item.version}`,
        Buffer.from(item.original),
        item.original.byteLength,
        { 'Content-Type': 'image/png' },
      );
      await client.putObject(bucket, `current/${userId}.json`, Buffer.from(item.pointer), item.pointer.length, {
        'Content-Type': 'application/json',
      });
    },
    async hasOriginal(userId, version) {
      return client.statObject(bucket, `pictures/${userId}/${version}`).then(
        () => true,
        () => false,
      );
    },
  };
});
