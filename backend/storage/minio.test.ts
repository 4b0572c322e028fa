import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client } from 'minio';
import { startS3Server } from '../testing/s3-server.ts';
import type { S3Server } from '../testing/s3-server.ts';
import { createMinioStorage, ensureBucket, minioTransport } from './minio.ts';
import type { MinioStorageOptions } from './minio.ts';
import { describeStorage, fixture } from './storage.contract.ts';

const REGION = 'eu-west-1';
const CORS_BUCKET = 'pictures';
let s3: S3Server;
let buckets = 0;

before(async () => {
  s3 = await startS3Server({ buckets: [CORS_BUCKET], region: REGION });
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
    open: () => createMinioStorage({ client: faultyClient(new Client(s3.clientOptions), broken), bucket, region: REGION }),
    hasObject: (userId, version) => hasObject(client, bucket, `pictures/${userId}/${version}`),
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
        return (name: string) => (++checks === 1 ? Promise.resolve(false) : (value as Client['bucketExists']).call(target, name));
      },
    });
    assert.equal(await ensureBucket({ client: late, bucket, region: REGION }), false);
    assert.equal(checks, 2);
  });

  test('objects are stored under pictures/ and current/, with their headers', async () => {
    const client = new Client(s3.clientOptions);
    const bucket = await freshBucket(client);
    const storage = createMinioStorage({ client, bucket, region: REGION });
    const { data, picture } = await fixture('keys', 'image/avif');
    await storage.put('ada', picture, data);
    const object = await client.statObject(bucket, `pictures/ada/${picture.version}`);
    assert.equal(object.size, data.byteLength);
    assert.equal(object.metaData['content-type'], 'image/avif');
    assert.equal(object.metaData['cache-control'], 'public, max-age=31536000, immutable');
    const pointer = await client.statObject(bucket, 'current/ada.json');
    assert.equal(pointer.metaData['content-type'], 'application/json');
  });

  test('a presigned URL, fetched as is, answers the bytes with their type, caching and CORS', async () => {
    const client = new Client(s3.clientOptions);
    const storage = createMinioStorage({ client, bucket: CORS_BUCKET, region: REGION });
    const { data, picture } = await fixture('presigned', 'image/jpeg');
    await storage.put('ada', picture, data);
    const { url } = await storage.locate('ada', picture, Date.now());
    assert.ok(url.startsWith(`http://127.0.0.1:${s3.port}/${CORS_BUCKET}/pictures/ada/${picture.version}?`));
    const response = await fetch(url, { headers: { Origin: 'http://site.test' } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/jpeg');
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), data);
  });

  test('every instance hands out the same URL within a signing window, a new one in the next', async () => {
    const { data, picture } = await fixture('windows');
    const options = { bucket: CORS_BUCKET, region: REGION, urlTtlMs: 60 * 60_000, signWindowMs: 10 * 60_000 };
    const first = createMinioStorage({ client: new Client(s3.clientOptions), ...options });
    const second = createMinioStorage({ client: new Client(s3.clientOptions), ...options });
    await first.put('ada', picture, data);
    const windowStart = Math.floor(Date.now() / options.signWindowMs) * options.signWindowMs;
    const a = await first.locate('ada', picture, windowStart + 1_000);
    const b = await second.locate('ada', picture, windowStart + options.signWindowMs - 1);
    assert.equal(a.url, b.url);
    assert.equal(a.expiresAt, windowStart + options.urlTtlMs);
    const next = await second.locate('ada', picture, windowStart + options.signWindowMs);
    assert.notEqual(next.url, a.url);
    assert.equal(next.expiresAt, windowStart + options.signWindowMs + options.urlTtlMs);
    // Both are genuine: the server accepts them.
    assert.equal((await fetch(a.url)).status, 200);
    assert.equal((await fetch(next.url)).status, 200);
  });

  test('a tampered URL is refused with 403', async () => {
    const storage = createMinioStorage({ client: new Client(s3.clientOptions), bucket: CORS_BUCKET, region: REGION });
    const one = await fixture('tamper one');
    const two = await fixture('tamper two');
    await storage.put('ada', one.picture, one.data);
    await storage.put('bob', two.picture, two.data);
    const { url } = await storage.locate('ada', one.picture, Date.now());
    const flipped = url.replace(/X-Amz-Signature=(.)/, (_, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
    assert.notEqual(flipped, url);
    const elsewhere = url.replace(`pictures/ada/${one.picture.version}`, `pictures/bob/${two.picture.version}`);
    const longer = url.replace('X-Amz-Expires=3600', 'X-Amz-Expires=604800');
    for (const bad of [flipped, elsewhere, longer]) {
      assert.notEqual(bad, url);
      const response = await fetch(bad);
      await response.arrayBuffer();
      assert.equal(response.status, 403, bad);
    }
  });

  test('misconfiguration throws at construction', () => {
    const client = new Client(s3.clientOptions);
    const noRegion = new Client({ ...s3.clientOptions, region: undefined as unknown as string });
    assert.throws(() => createMinioStorage({ client: noRegion, bucket: 'b', region: REGION }), /region/);
    assert.throws(() => createMinioStorage({ client, bucket: 'b', region: 'us-east-1' }), /region/);
    assert.throws(() => createMinioStorage({ client, bucket: '', region: REGION }), /MINIO_BUCKET/);
    const options: MinioStorageOptions = { client, bucket: 'b', region: REGION };
    assert.throws(() => createMinioStorage({ ...options, signWindowMs: 60 * 60_000 }), /signWindowMs/);
    assert.throws(() => createMinioStorage({ ...options, urlTtlMs: 8 * 24 * 60 * 60_000 }), /urlTtlMs/);
  });
});

describe('minio storage without a server', () => {
  let own: S3Server;
  before(async () => {
    own = await startS3Server({ region: REGION });
  });
  after(() => own?.stop());

  test('presigns with the server stopped, throws promptly on every other call, and recovers', async () => {
    const client = new Client(own.clientOptions);
    const bucket = await freshBucket(client);
    const storage = createMinioStorage({ client, bucket, region: REGION, timeoutMs: 2_000 });
    const { data, picture } = await fixture('offline');
    await storage.put('ada', picture, data);
    const earlier = await storage.locate('ada', picture, Date.now());

    await own.pause();
    const started = performance.now();
    const location = await storage.locate('ada', picture, Date.now());
    assert.equal(location.url, earlier.url);
    assert.ok(performance.now() - started < 50, 'presigning is CPU work');

    const calls: [string, () => Promise<unknown>][] = [
      ['current', () => storage.current('ada')],
      ['read', () => storage.read('ada', picture.version)],
      ['put', () => storage.put('bob', picture, data)],
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
      const { data, picture } = await fixture('silent');
      // The storage's own deadline, whatever the client's transport.
      const plain = createMinioStorage({
        client: new Client({ ...own.clientOptions, port }),
        bucket: 'silent',
        region: REGION,
        timeoutMs: 300,
      });
      for (const call of [() => plain.current('ada'), () => plain.put('ada', picture, data), () => plain.ping()]) {
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
      const t0 = performance.now();
      await assert.rejects(transported.read('ada', picture.version), /no data for 200 ms/);
      assert.ok(performance.now() - t0 < 1_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
