import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { text } from 'node:stream/consumers';
import { after, before, describe, test } from 'node:test';
import { Client } from 'minio';
import { startS3Server } from '../testing/s3-server.ts';
import type { S3Server } from '../testing/s3-server.ts';
import { createMinioStorage, ensureBucket, minioTransport } from './minio.ts';
import { describeStorage, fixture, namesOf, pastGrace, readAll } from './storage.contract.ts';

const REGION = 'eu-west-1';
const IMMUTABLE = 'public, max-age=31536000, immutable';
let s3: S3Server;
let buckets = 0;

before(async () => {
  s3 = await startS3Server({ region: REGION });
});
after(() => s3?.stop());

/** A bucket of its own for one test. */
async function freshBucket(client: Client): Promise<string> {
  const bucket = `test-${++buckets}-${Math.random().toString(36).slice(2, 8)}`;
  await ensureBucket({ client, bucket, region: REGION });
  return bucket;
}

/** A client whose pointer writes fail while `broken.on` is set, to see what a failed commit leaves. */
function faultyClient(client: Client, broken: { on: boolean }): Client {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== 'putObject' || typeof value !== 'function') return value;
      return (bucket: string, key: string, ...rest: unknown[]) => {
        if (broken.on && key.startsWith('current/')) return Promise.reject(new Error('injected: pointer write failed'));
        return (value as (...args: unknown[]) => unknown).call(target, bucket, key, ...rest);
      };
    },
  });
}

/** A client that runs `hook` each time a pointer write has succeeded, before answering the storage. */
function afterPointerWrite(client: Client, hook: () => Promise<void>): Client {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== 'putObject' || typeof value !== 'function') return value;
      return async (bucket: string, key: string, ...rest: unknown[]) => {
        const written = await (value as (...args: unknown[]) => Promise<unknown>).call(target, bucket, key, ...rest);
        if (key.startsWith('current/')) await hook();
        return written;
      };
    },
  });
}

/** Every object under `variants/{userId}/`, as sorted `{version}/{width}.webp` names. */
async function variantFiles(client: Client, bucket: string, userId: string): Promise<string[]> {
  const prefix = `variants/${userId}/`;
  const names: string[] = [];
  for await (const item of client.listObjects(bucket, prefix, true))
    names.push((item as { name: string }).name.slice(prefix.length));
  return names.sort();
}

/** Writes an object directly, as something other than this storage would. */
async function putBytes(
  client: Client,
  bucket: string,
  key: string,
  data: Uint8Array | string,
  headers: Record<string, string>,
) {
  const body = Buffer.from(data);
  await client.putObject(bucket, key, body, body.byteLength, headers);
}

async function hasObject(client: Client, bucket: string, key: string): Promise<boolean> {
  try {
    await client.statObject(bucket, key);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === 'NotFound') return false;
    throw error;
  }
}

describeStorage('minio', async () => {
  const client = new Client(s3.clientOptions);
  const bucket = await freshBucket(client);
  const broken = { on: false };
  return {
    // Each instance gets its own client too: nothing is shared but the bucket.
    open: () =>
      createMinioStorage({ client: faultyClient(new Client(s3.clientOptions), broken), bucket, region: REGION }),
    variantFiles: (userId) => variantFiles(client, bucket, userId),
    hasOriginal: (userId, version) => hasObject(client, bucket, `pictures/${userId}/${version}`),
    // As the storage before copies wrote them: the upload's own type, immutable.
    writeOriginal: (userId, version, data) =>
      putBytes(client, bucket, `pictures/${userId}/${version}`, data, {
        'Content-Type': 'image/png',
        'Cache-Control': IMMUTABLE,
      }),
    writePointer: (userId, text) =>
      putBytes(client, bucket, `current/${userId}.json`, text, { 'Content-Type': 'application/json' }),
    async breakPointerWrites() {
      broken.on = true;
      return async () => {
        broken.on = false;
      };
    },
    // The server's directory, with every bucket, goes when the server stops.
    cleanup: async () => undefined,
  };
});

describe('minio storage', () => {
  test('ensureBucket creates a missing bucket once, and ping needs the bucket', async () => {
    const client = new Client(s3.clientOptions);
    const bucket = 'created-at-startup';
    const storage = createMinioStorage({ client, bucket, region: REGION });
    await assert.rejects(storage.ping(), { code: 'NoSuchBucket', message: /does not exist: call ensureBucket/ });
    assert.equal(await client.bucketExists(bucket), false);
    assert.equal(await ensureBucket({ client, bucket, region: REGION }), true);
    assert.equal(await client.bucketExists(bucket), true);
    assert.equal(await ensureBucket({ client, bucket, region: REGION }), false);
    await storage.ping();
  });

  test('ensureBucket is safe when instances start together', async () => {
    // How many report "created" depends on the server (s3rver itself checks, then creates); that none throws does not.
    const bucket = 'raced-at-startup';
    await Promise.all(
      [1, 2, 3].map(() => ensureBucket({ client: new Client(s3.clientOptions), bucket, region: REGION })),
    );
    assert.equal(await new Client(s3.clientOptions).bucketExists(bucket), true);
  });

  test('ensureBucket answers false when another instance created the bucket between its check and its create', async () => {
    const bucket = 'created-in-between';
    const client = new Client(s3.clientOptions);
    await client.makeBucket(bucket, REGION);
    // The first check sees the moment before the other instance's create; the server then refuses ours.
    let checks = 0;
    const late = new Proxy(client, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (property !== 'bucketExists' || typeof value !== 'function') return value;
        return (name: string) =>
          ++checks === 1 ? Promise.resolve(false) : (value as Client['bucketExists']).call(target, name);
      },
    });
    assert.equal(await ensureBucket({ client: late, bucket, region: REGION }), false);
    assert.equal(checks, 2);
  });

  test('copies are stored under variants/ with their type and immutable caching; the pointer under current/, never cached', async () => {
    const client = new Client(s3.clientOptions);
    const bucket = await freshBucket(client);
    const storage = createMinioStorage({ client, bucket, region: REGION });
    const { files, picture } = await fixture('keys');
    await storage.put('ada', picture, files);
    // What a CDN or a public-read bucket in front would answer with.
    for (const [i, { width }] of picture.variants!.entries()) {
      const object = await client.statObject(bucket, `variants/ada/${picture.version}/${width}.webp`);
      assert.equal(object.size, files[i]!.byteLength);
      assert.equal(object.metaData['content-type'], 'image/webp');
      assert.equal(object.metaData['cache-control'], IMMUTABLE);
    }
    const pointer = await client.statObject(bucket, 'current/ada.json');
    assert.equal(pointer.metaData['content-type'], 'application/json');
    assert.equal(pointer.metaData['cache-control'], 'no-store');
    // Exactly the picture's fields: nothing else is written into the pointer.
    assert.deepEqual(JSON.parse(await text(await client.getObject(bucket, 'current/ada.json'))), picture);
    assert.equal(await hasObject(client, bucket, `pictures/ada/${picture.version}`), false, 'no upload is kept');
  });

  test('another instance re-uploading the replaced version meanwhile keeps its copies', async () => {
    const client = new Client(s3.clientOptions);
    const bucket = await freshBucket(client);
    const other = createMinioStorage({ client: new Client(s3.clientOptions), bucket, region: REGION });
    const one = await fixture('race v1');
    const two = await fixture('race v2');
    await other.put('ada', one.picture, one.files);
    // Right after this instance commits v2, the other makes v1 current again, before this one removes v1's copies.
    let ranBetween = false;
    const hook = async () => {
      if (ranBetween) return;
      ranBetween = true;
      await other.put('ada', one.picture, one.files);
    };
    const storage = createMinioStorage({ client: afterPointerWrite(client, hook), bucket, region: REGION });
    await storage.put('ada', two.picture, two.files);
    assert.ok(ranBetween, 'the other upload ran in between');
    assert.deepEqual(await storage.current('ada'), one.picture);
    // v2's copies, named no more, go at a sweep past the grace period; v1's stay.
    await storage.sweep(pastGrace());
    assert.deepEqual(await variantFiles(client, bucket, 'ada'), namesOf(one.picture));
    for (const [i, { width }] of one.picture.variants!.entries()) {
      const copy = await storage.read('ada', one.picture.version, width);
      assert.ok(copy);
      assert.deepEqual(await readAll(copy.body), one.files[i]);
    }
  });

  test('misconfiguration throws at construction', () => {
    const client = new Client(s3.clientOptions);
    const noRegion = new Client({ ...s3.clientOptions, region: undefined as unknown as string });
    assert.throws(() => createMinioStorage({ client: noRegion, bucket: 'b', region: REGION }), /region/);
    assert.throws(() => createMinioStorage({ client, bucket: 'b', region: 'us-east-1' }), /region/);
    assert.throws(() => createMinioStorage({ client, bucket: '', region: REGION }), /MINIO_BUCKET/);
    assert.throws(() => createMinioStorage({ client, bucket: 'b', region: REGION, timeoutMs: 0 }), /timeoutMs/);
  });
});

describe('minio storage without a server', () => {
  let own: S3Server;
  before(async () => {
    own = await startS3Server({ region: REGION });
  });
  after(() => own?.stop());

  test('throws promptly on every call with the server stopped, and recovers', async () => {
    const client = new Client(own.clientOptions);
    const bucket = await freshBucket(client);
    const storage = createMinioStorage({ client, bucket, region: REGION, timeoutMs: 2_000 });
    const { files, picture } = await fixture('offline');
    await storage.put('ada', picture, files);

    await own.pause();
    const calls: [string, () => Promise<unknown>][] = [
      ['current', () => storage.current('ada')],
      ['read', () => storage.read('ada', picture.version, 64)],
      ['readOriginal', () => storage.readOriginal('ada', picture.version)],
      ['put', () => storage.put('bob', picture, files)],
      ['remove', () => storage.remove('ada')],
      ['ping', () => storage.ping()],
    ];
    for (const [name, call] of calls) {
      const t0 = performance.now();
      await assert.rejects(call(), `${name} must throw`);
      assert.ok(performance.now() - t0 < 1_000, `${name} threw within a second`);
    }

    await own.restart();
    await storage.ping();
    assert.deepEqual(await storage.current('ada'), picture);
    const copy = await storage.read('ada', picture.version, 64);
    assert.ok(copy);
    assert.deepEqual(await readAll(copy.body), files[0]);
  });

  test('a server that accepts and never answers makes calls throw after timeoutMs', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const { files, picture } = await fixture('silent');
      // The storage's own deadline, whatever the client's transport.
      const plain = createMinioStorage({
        client: new Client({ ...own.clientOptions, port }),
        bucket: 'silent',
        region: REGION,
        timeoutMs: 300,
      });
      const calls = [
        () => plain.current('ada'),
        () => plain.put('ada', picture, files),
        () => plain.read('ada', picture.version, 64),
        () => plain.readOriginal('ada', picture.version),
        () => plain.ping(),
      ];
      for (const call of calls) {
        const t0 = performance.now();
        await assert.rejects(call(), /did not answer .* within 300 ms/);
        const took = performance.now() - t0;
        assert.ok(took >= 290 && took < 1_000, `took ${took} ms`);
      }
      // The transport for the runtime entries also drops the silent connection itself.
      const transported = createMinioStorage({
        client: new Client({ ...own.clientOptions, port, transport: minioTransport({ timeoutMs: 200 }) }),
        bucket: 'silent',
        region: REGION,
      });
      for (const call of [
        () => transported.read('ada', picture.version, 64),
        () => transported.readOriginal('ada', picture.version),
      ]) {
        const t0 = performance.now();
        await assert.rejects(call(), /no data for 200 ms/);
        assert.ok(performance.now() - t0 < 1_000);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
  for (const [what, ending, expected] of [
    ['cuts short', 'hangs up', /aborted|S3 sent 10 of the 100 bytes/],
    ['stops sending', 'waits', /did not answer GET .* \(its body\) .*within 500 ms/],
  ] as const) {
    test(`a copy whose body S3 ${what} is an error, never a shorter picture`, async () => {
      // Answers every request with a 64-px copy's headers, then a tenth of its bytes, then `ending`.
      const sockets = new Set<Socket>();
      const server = createServer((socket) => {
        sockets.add(socket);
        socket.once('data', () => {
          const head = 'HTTP/1.1 200 OK\r\nContent-Type: image/webp\r\nContent-Length: 100\r\n\r\n0123456789';
          if (ending === 'hangs up') socket.end(head);
          else socket.write(head);
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { picture } = await fixture(what);
        const port = (server.address() as { port: number }).port;
        const storage = createMinioStorage({
          client: new Client({ ...own.clientOptions, port }),
          bucket: 'cut',
          region: REGION,
          timeoutMs: 500,
        });
        await assert.rejects(storage.read('ada', picture.version, 64), expected);
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => server.close(resolve));
      }
    });
  }
});
