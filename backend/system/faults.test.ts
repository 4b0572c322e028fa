// Faults under a running service, each as an operator would meet it: Redis killed under load, the service killed
// in the middle of uploads, a client that sends a byte a second, a thousand lookups of one user at once on two
// instances. (Redis stopped and started, the object store stopped, both down at start: resilience.test.ts.)
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, test, type TestContext } from 'node:test';
import { Redis } from 'ioredis';
import type { PictureMeta } from '../../contract/picture.ts';
import { sleep, until } from '../../scripts/testing/wait.ts';
import { noisyPng, solidPng } from '../testing/images.ts';
import { startService, type RunningService } from '../testing/service.ts';
import { startBackingServers, startEmbedded, TEST_SERVICE_ENV } from '../testing/stack.ts';
import { admin, TEST_ADMIN_TOKEN } from '../testing/tokens.ts';

async function upload(base: string, userId: string, body: Uint8Array<ArrayBuffer>): Promise<PictureMeta> {
  const res = await fetch(`${base}/api/pictures/${userId}`, { method: 'PUT', body, headers: admin });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as PictureMeta;
}

/** Each user's lookup names the old or the new picture, and its URLs serve exactly those copies, whole. */
async function assertWholePictures(
  base: string,
  expected: Map<string, { old: string; new: string }>,
): Promise<{ old: number; new: number }> {
  const seen = { old: 0, new: 0 };
  for (const [userId, versions] of expected) {
    const res = await fetch(`${base}/api/pictures/${userId}`);
    assert.equal(res.status, 200, `${userId}: ${await res.clone().text()}`);
    const meta = (await res.json()) as PictureMeta;
    const which = meta.version === versions.old ? 'old' : meta.version === versions.new ? 'new' : undefined;
    assert.ok(which, `${userId} has version ${meta.version}, neither the old nor the new one`);
    seen[which]++;
    const copies: Uint8Array[] = [];
    for (const variant of meta.variants) {
      const image = await fetch(new URL(variant.url, base));
      assert.equal(image.status, 200, `${userId}'s ${which} picture is served at ${variant.width} px`);
      copies.push(new Uint8Array(await image.arrayBuffer()));
      assert.equal(copies.at(-1)!.length, variant.bytes, `${userId}'s ${variant.width}-px copy is whole`);
    }
    // The version is the hash of all copies, in order: they are exactly the ones it names.
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', Buffer.concat(copies)));
    assert.equal(
      Buffer.from(digest.subarray(0, 16)).toString('hex'),
      meta.version,
      `${userId}'s bytes are the version they claim`,
    );
  }
  return seen;
}

/**
 * Gives 20 users an old picture, starts uploading a new one for each at once, kills the service with SIGKILL when
 * `killWhen` says so, and starts it again: each user must have the old or the new picture, whole.
 */
async function killMidUpload(
  t: TestContext,
  start: () => Promise<RunningService>,
  killWhen: (uploads: Promise<unknown>[]) => Promise<void>,
) {
  let service = await start();
  try {
    const expected = new Map<string, { old: string; new: string }>();
    for (let i = 0; i < 20; i++) {
      const userId = `crash${i}`;
      const old = await upload(service.base, userId, solidPng([i, 0, 0]));
      // A version depends on the picture alone, so another user's upload of the same bytes names the new one.
      const next = await upload(service.base, `${userId}-probe`, noisyPng(i + 1));
      expected.set(userId, { old: old.version, new: next.version });
    }
    const uploads = [...expected.keys()].map((userId, i) =>
      fetch(`${service.base}/api/pictures/${userId}`, { method: 'PUT', body: noisyPng(i + 1), headers: admin }).then(
        (r) => r.status,
        () => 'cut off',
      ),
    );
    await killWhen(uploads);
    await service.kill();
    const outcomes = await Promise.all(uploads);
    service = await start();
    const seen = await assertWholePictures(service.base, expected);
    t.diagnostic(
      `after SIGKILL: ${seen.old} users kept the old picture, ${seen.new} have the new one; uploads answered: ${outcomes.filter((o) => o === 201).length} of 20`,
    );
    return seen;
  } finally {
    await service.stop();
  }
}

describe('faults', () => {
  test('Redis killed (SIGKILL) under load and restarted: no lookup gets a 5xx, and the cache is used again within seconds', async (t) => {
    const backing = await startBackingServers();
    const service = await startService('node', backing.env);
    try {
      const users = Array.from({ length: 20 }, (_, i) => `load${i}`);
      for (const [i, userId] of users.entries()) await upload(service.base, userId, solidPng([i, 1, 2]));
      const statuses = new Map<number, number>();
      const cacheSeen = new Set<string>();
      let running = true;
      let calls = 0;
      const worker = async (w: number) => {
        while (running) {
          const n = calls++;
          const path =
            n % 3 === 0
              ? `/api/pictures?users=${users.slice(w % 10, (w % 10) + 10).join(',')}`
              : n % 3 === 1
                ? `/api/pictures/${users[n % users.length]}`
                : `/api/pictures/nobody${n % 50}`;
          const res = await fetch(`${service.base}${path}`);
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          cacheSeen.add(res.headers.get('X-Cache') ?? '');
        }
      };
      const workers = Array.from({ length: 16 }, (_, w) => worker(w));
      await until(() => cacheSeen.has('HIT'), 'the lookups to be answered from the cache');
      await backing.redis.kill();
      await until(() => cacheSeen.has('BYPASS'), 'lookups to go around the dead cache');
      await sleep(1_000); // a clock rule: the lookups go on for a second without Redis
      await backing.redis.start();
      const restarted = Date.now();
      await until(
        async () => {
          const res = await fetch(`${service.base}/api/pictures/${users[0]}`);
          return res.headers.get('X-Cache') === 'HIT';
        },
        'the cache to answer again',
        10_000,
      );
      const recoveredMs = Date.now() - restarted;
      await sleep(300); // a clock rule: the lookups go on a moment with Redis back
      running = false;
      await Promise.all(workers);
      const fiveHundreds = [...statuses].filter(([status]) => status >= 500);
      assert.deepEqual(fiveHundreds, [], `answers by status: ${JSON.stringify([...statuses])}`);
      assert.deepEqual([...statuses.keys()].sort(), [200, 404]);
      t.diagnostic(
        `${calls} lookups by 16 clients: ${JSON.stringify(Object.fromEntries(statuses))}; cache back ${recoveredMs} ms after Redis restarted`,
      );
    } finally {
      await service.stop();
      await backing.stop();
    }
  });

  test('SIGKILL in the middle of uploads to S3: after a restart each user has the old picture or the new one, whole', async (t) => {
    const backing = await startBackingServers();
    const redis = new Redis(backing.redis.url);
    try {
      const before = { count: 0 };
      await killMidUpload(
        t,
        () => startService('node', backing.env),
        async () => {
          before.count = backing.s3.requests().length;
          // Once 25 of the 40 objects (20 pictures' bytes, then 20 pointers) are being written, some uploads have
          // committed and the others are at every step before that.
          await until(
            () =>
              backing.s3
                .requests()
                .slice(before.count)
                .filter((r) => r.method === 'PUT').length >= 25,
            '25 objects being written',
            5_000,
          );
        },
      );
      // And from the storage alone, as after losing Redis too.
      await redis.flushall();
      const service = await startService('node', backing.env);
      try {
        const lookups = await fetch(
          `${service.base}/api/pictures?users=${Array.from({ length: 20 }, (_, i) => `crash${i}`).join(',')}`,
        );
        assert.equal(lookups.status, 200, await lookups.clone().text());
        const { pictures } = (await lookups.json()) as { pictures: Record<string, PictureMeta | null> };
        assert.ok(
          Object.values(pictures).every((meta) => meta !== null),
          'no user lost their picture',
        );
      } finally {
        await service.stop();
      }
    } finally {
      redis.disconnect();
      await backing.stop();
    }
  });

  test('SIGKILL in the middle of uploads to files: after a restart each user has the old picture or the new one, whole', async (t) => {
    const first = await startEmbedded('node');
    await first.service.stop();
    const start = () => startService('node', { ...TEST_SERVICE_ENV, DATA_DIR: first.dataDir });
    try {
      // Killed as the first upload is answered: the others are being read, written or renamed into place.
      await killMidUpload(t, start, (uploads) => Promise.race(uploads).then(() => undefined));
    } finally {
      await first.stop();
    }
  });

  for (const runtime of ['node', 'deno'] as const) {
    test(`${runtime}: a client sending an upload at a byte a second is cut off with 408 at UPLOAD_TIMEOUT_MS, and nothing is stored`, async () => {
      const target = await startEmbedded(runtime, { UPLOAD_TIMEOUT_MS: '2000' });
      const socket = connect(Number(new URL(target.base).port), '127.0.0.1');
      try {
        let answer = '';
        socket.setEncoding('latin1');
        socket.on('data', (chunk: string) => (answer += chunk));
        const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
        socket.on('error', () => {});
        const png = solidPng([1, 2, 3]);
        socket.write(
          `PUT /api/pictures/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${TEST_ADMIN_TOKEN}\r\nContent-Length: ${png.length}\r\n\r\n`,
        );
        let sent = 0;
        const drip = setInterval(() => !socket.destroyed && socket.write(png.subarray(sent, ++sent)), 1_000);
        try {
          await until(() => answer.includes('\r\n\r\n'), 'the service to answer', 15_000);
        } finally {
          clearInterval(drip);
        }
        assert.match(answer, /^HTTP\/1\.1 408 /);
        assert.match(answer, /"code":"request_timeout"/);
        assert.match(answer, /UPLOAD_TIMEOUT_MS/);
        assert.ok(sent < png.length, `cut off after ${sent} of ${png.length} bytes`);
        await Promise.race([closed, sleep(3_000)]); // the connection closed, or 3 s: what follows holds either way
        assert.equal((await fetch(`${target.base}/api/pictures/slow`)).status, 404, 'nothing was stored');
      } finally {
        socket.destroy();
        await target.stop();
      }
    });
  }

  test('1,000 concurrent lookups of one uncached user on two instances: at most one storage read per instance', async (t) => {
    const backing = await startBackingServers();
    const instances = await Promise.all([startService('node', backing.env), startService('node', backing.env)]);
    const redis = new Redis(backing.redis.url);
    try {
      const meta = await upload(instances[0]!.base, 'popular', solidPng([9, 8, 7]));
      await redis.flushall();
      const pointerReads = (from: number) =>
        backing.s3
          .requests()
          .slice(from)
          .filter((r) => r.method === 'GET' && r.path.includes('current/popular.json')).length;
      const mark = backing.s3.requests().length;
      const answers = await Promise.all(
        Array.from({ length: 1_000 }, (_, i) =>
          fetch(`${instances[i % 2]!.base}/api/pictures/popular`).then(async (res) => ({
            status: res.status,
            version: ((await res.json()) as PictureMeta).version,
          })),
        ),
      );
      assert.ok(answers.every((a) => a.status === 200 && a.version === meta.version));
      const reads = pointerReads(mark);
      assert.ok(reads >= 1 && reads <= 2, `${reads} storage reads for 1,000 lookups on two instances`);
      t.diagnostic(`1,000 concurrent misses on two instances: ${reads} storage read(s)`);
      const again = backing.s3.requests().length;
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          fetch(`${instances[i % 2]!.base}/api/pictures/popular`).then((r) => r.arrayBuffer()),
        ),
      );
      assert.equal(pointerReads(again), 0, 'then the shared cache answers every one');
    } finally {
      redis.disconnect();
      await Promise.all(instances.map((i) => i.stop()));
      await backing.stop();
    }
  });
});
