// The service killed (SIGKILL) again and again in the middle of 20 uploads while 8 clients look the same users up
// and fetch their pictures, on S3 (with Redis), on an S3 whose writes are not atomic, and on files: no URL a lookup
// answers is ever 404, every user's picture is whole after each restart, and once the cleanup period has passed
// nothing is left that no pointer names. Short periods (CLEANUP_GRACE_MS, CLEANUP_INTERVAL_MS) keep it quick.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { Client } from 'minio';
import type { PictureBatch, PictureMeta } from '../../contract/picture.ts';
import { sleep, until } from '../../scripts/testing/wait.ts';
import { noisyPng, solidPng } from '../testing/images.ts';
import { startService, type RunningService } from '../testing/service.ts';
import { startBackingServers, startEmbedded, TEST_SERVICE_ENV, type BackingServers } from '../testing/stack.ts';
import { admin } from '../testing/tokens.ts';

const GRACE_MS = 4_000;
// All 20 uploads come from this one client at once.
const CLEANUP_ENV = { CLEANUP_GRACE_MS: String(GRACE_MS), CLEANUP_INTERVAL_MS: '500', MAX_UPLOADS_PER_CLIENT: '20' };
const USERS = Array.from({ length: 20 }, (_, i) => `crash${i}`);
const ROUNDS = 4;

/** What is stored, looked at directly: each user's pointer, and what no pointer names. */
interface Place {
  /** Each user's version as the pointer names it; `unreadable` for a pointer that cannot be parsed. */
  pointers(): Promise<Map<string, string | 'unreadable' | null>>;
  /** Objects no pointer names (copies of other versions, markers, kept uploads) and temp files, by name. */
  leftovers(): Promise<{ unreferenced: string[]; temps: string[] }>;
}

/** A pointer's version, or `unreadable`. */
function versionIn(text: string): string | 'unreadable' {
  try {
    const { version } = JSON.parse(text) as { version?: unknown };
    return typeof version === 'string' ? version : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** Sorts keys `{area}/{user}/…` into what the pointers name and what they do not. */
function sortOut(keys: readonly string[], pointers: Map<string, string | 'unreadable' | null>) {
  return keys.filter((key) => {
    const [area, userId, version] = key.split('/');
    return area !== 'current' && (area !== 'variants' || pointers.get(userId!) !== version);
  });
}

function s3Place(backing: BackingServers): Place {
  const client = new Client(backing.s3.clientOptions);
  const bucket = backing.env.MINIO_BUCKET!;
  const keys = async () => {
    const found: string[] = [];
    for await (const item of client.listObjectsV2(bucket, '', true)) if (item.name) found.push(item.name);
    return found;
  };
  const pointers = async () => {
    const found = new Map<string, string | 'unreadable' | null>(USERS.map((userId) => [userId, null]));
    for (const key of (await keys()).filter((k) => k.startsWith('current/'))) {
      const chunks: Buffer[] = [];
      for await (const chunk of await client.getObject(bucket, key)) chunks.push(chunk as Buffer);
      found.set(key.slice('current/'.length, -'.json'.length), versionIn(Buffer.concat(chunks).toString()));
    }
    return found;
  };
  return {
    pointers,
    async leftovers() {
      const named = await pointers();
      // What a PUT cut off leaves inside the S3 server (never a key) does not count: the server's, not ours.
      return { unreferenced: sortOut(await keys(), named), temps: [] };
    },
  };
}

/** Every file under `root`, as `/`-separated paths relative to it; a folder the service removes meanwhile has none. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const found = await Promise.all(
    entries.map(async (entry) =>
      entry.isDirectory()
        ? (await filesUnder(join(root, entry.name))).map((rest) => `${entry.name}/${rest}`)
        : [entry.name],
    ),
  );
  return found.flat();
}

function filesPlace(dir: string): Place {
  const files = () => filesUnder(dir);
  const pointers = async () => {
    const found = new Map<string, string | 'unreadable' | null>(USERS.map((userId) => [userId, null]));
    for (const name of (await files()).filter((f) => /^current\/[^.][^/]*\.json$/.test(f))) {
      found.set(name.slice('current/'.length, -'.json'.length), versionIn(await readFile(join(dir, name), 'utf8')));
    }
    return found;
  };
  const isTemp = (name: string) => /(^|\/)\.[^/]*$/.test(name);
  return {
    pointers,
    async leftovers() {
      const named = await pointers();
      const all = await files();
      return {
        unreferenced: sortOut(
          all.filter((name) => !isTemp(name)),
          named,
        ),
        temps: all.filter(isTemp),
      };
    },
  };
}

/** 8 clients looking all users up and fetching some of their pictures, at `base()` whichever process answers it now. */
function startLookups(base: () => string) {
  const seen = { lookups: 0, images: 0, statuses: {} as Record<string, number>, notFound: [] as string[], refused: 0 };
  let running = true;
  const count = (what: string, status: number) =>
    (seen.statuses[`${what} ${status}`] = (seen.statuses[`${what} ${status}`] ?? 0) + 1);
  const client = async (c: number) => {
    for (let n = 0; running; n++) {
      const at = base();
      try {
        const res = await fetch(`${at}/api/pictures?users=${USERS.join(',')}`);
        seen.lookups++;
        count('lookup', res.status);
        if (res.status !== 200) {
          await res.arrayBuffer();
          continue;
        }
        const { pictures } = (await res.json()) as PictureBatch;
        for (const userId of [USERS[(n + c) % USERS.length]!, USERS[(n * 7 + c) % USERS.length]!]) {
          const meta = pictures[userId];
          if (!meta) continue;
          const variant = meta.variants[n % meta.variants.length]!;
          const image = await fetch(new URL(variant.url, at));
          await image.arrayBuffer();
          seen.images++;
          count('image', image.status);
          if (image.status === 404) seen.notFound.push(variant.url);
        }
      } catch {
        // The service is down between a kill and its restart.
        seen.refused++;
        await sleep(50); // a rate: try again shortly, not in a busy loop
      }
    }
  };
  const clients = Array.from({ length: 8 }, (_, c) => client(c));
  return {
    seen,
    async stop() {
      running = false;
      await Promise.all(clients);
    },
  };
}

/**
 * Every user's lookup answers 200, and each of its URLs serves the bytes of the version it names; answers whether
 * that is the version the pointer names (`current`) or the one it replaced, still cached (`cached`).
 */
async function checkUsers(base: string, place: Place): Promise<{ current: number; cached: number }> {
  const result = { current: 0, cached: 0 };
  const answers = new Map<string, PictureMeta>();
  for (const userId of USERS) {
    const res = await fetch(`${base}/api/pictures/${userId}`);
    assert.equal(res.status, 200, `${userId}: ${await res.clone().text()}`);
    const meta = (await res.json()) as PictureMeta;
    const copies: Uint8Array[] = [];
    for (const variant of meta.variants) {
      const image = await fetch(new URL(variant.url, base));
      assert.equal(image.status, 200, `${userId}'s ${variant.width}-px copy of ${meta.version}`);
      copies.push(new Uint8Array(await image.arrayBuffer()));
    }
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', Buffer.concat(copies)));
    assert.equal(
      Buffer.from(digest.subarray(0, 16)).toString('hex'),
      meta.version,
      `${userId}'s bytes are the version they claim`,
    );
    answers.set(userId, meta);
  }
  // Read after the lookups, which repair a pointer that could not be read.
  const pointers = await place.pointers();
  for (const [userId, meta] of answers) result[pointers.get(userId) === meta.version ? 'current' : 'cached']++;
  return result;
}

/**
 * Gives every user a picture, then `ROUNDS` times uploads a new one for each at once and kills the service with
 * SIGKILL when `killWhen` says, restarts it and checks every user; then waits out the cleanup period.
 */
async function crashRounds(
  t: TestContext,
  place: Place,
  start: () => Promise<RunningService>,
  killWhen: (uploads: Promise<unknown>[]) => Promise<void>,
) {
  let service = await start();
  const lookups = startLookups(() => service.base);
  const totals = { checked: 0, cached: 0, unreadable: 0, committed: 0 };
  let before: Awaited<ReturnType<Place['leftovers']>>;
  try {
    for (const [i, userId] of USERS.entries()) {
      const res = await fetch(`${service.base}/api/pictures/${userId}`, {
        method: 'PUT',
        body: solidPng([i, 1, 2]),
        headers: admin,
      });
      assert.equal(res.status, 201);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      const uploads = USERS.map((userId, i) =>
        fetch(`${service.base}/api/pictures/${userId}`, {
          method: 'PUT',
          body: noisyPng(round * 100 + i),
          headers: admin,
        }).then(
          (r) => r.status,
          () => 'cut off',
        ),
      );
      await killWhen(uploads);
      await service.kill();
      totals.committed += (await Promise.all(uploads)).filter((status) => status === 201).length;
      totals.unreadable += [...(await place.pointers()).values()].filter((v) => v === 'unreadable').length;
      service = await start();
      const seen = await checkUsers(service.base, place);
      totals.checked += USERS.length;
      totals.cached += seen.cached;
    }
    before = await place.leftovers();
    // The cleanup period, with the lookups going on: a cached lookup that outlived the bytes it names would 404.
    await until(
      async () => {
        const left = await place.leftovers();
        return left.unreferenced.length + left.temps.length === 0;
      },
      'the sweeps to remove everything no pointer names',
      GRACE_MS + 15_000,
    );
    const after = await checkUsers(service.base, place);
    assert.equal(after.cached, 0, 'past the cleanup period every lookup names the current version');
  } finally {
    await lookups.stop();
    await service.stop();
  }
  const { seen } = lookups;
  assert.deepEqual(seen.notFound, [], 'no URL a lookup answered was ever 404');
  assert.ok(
    Object.keys(seen.statuses).every((key) => key.endsWith(' 200')),
    JSON.stringify(seen.statuses),
  );
  assert.ok(seen.images > 100, `${seen.images} pictures fetched`);
  t.diagnostic(
    `${ROUNDS} rounds of 20 uploads killed: ${totals.committed} uploads answered 201; ${totals.checked} users checked after restarts, ` +
      `${totals.cached} of them answered the replaced version from the cache (its URLs 200), ${totals.unreadable} pointers found unreadable; ` +
      `${seen.lookups} lookups and ${seen.images} pictures fetched by 8 clients, ${seen.notFound.length} 404s (${JSON.stringify(seen.statuses)}); ` +
      `left after the last restart: ${before.unreferenced.length} objects no pointer names and ${before.temps.length} temp files; after the cleanup period: 0 and 0`,
  );
}

/**
 * Kills once `count` storage writes of this round reached the S3 server: some uploads committed, others at every step
 * before.
 */
function afterS3Writes(backing: BackingServers, count: number) {
  return async () => {
    const from = backing.s3.requests().length;
    await until(
      () =>
        backing.s3
          .requests()
          .slice(from)
          .filter((r) => r.method === 'PUT').length >= count,
      `${count} writes`,
      20_000,
    );
  };
}

describe('crash safety: SIGKILL during uploads, with lookups going on', () => {
  for (const { name, atomic } of [
    { name: 'on S3, with Redis', atomic: true },
    { name: 'on an S3 whose writes are not atomic, with Redis', atomic: false },
  ]) {
    test(name, async (t) => {
      const backing = await startBackingServers({ atomic });
      try {
        // Each upload writes 4 objects (a marker, two copies, the pointer): killed three quarters of the way through
        // the 80.
        await crashRounds(
          t,
          s3Place(backing),
          () => startService('node', { ...backing.env, ...CLEANUP_ENV }),
          afterS3Writes(backing, 60),
        );
      } finally {
        await backing.stop();
      }
    });
  }

  test('on files, with the memory cache', async (t) => {
    const root = new URL('../../.data/', import.meta.url).pathname;
    await mkdir(root, { recursive: true });
    const dir = await mkdtemp(join(root, 'crash-'));
    try {
      // Killed as the eighth upload is answered: the others are being encoded, written or renamed into place.
      await crashRounds(
        t,
        filesPlace(dir),
        () => startService('node', { ...TEST_SERVICE_ENV, ...CLEANUP_ENV, DATA_DIR: dir }),
        async (uploads) => {
          let answered = 0;
          await new Promise<void>((resolve) =>
            uploads.forEach((upload) => void upload.then(() => ++answered === 8 && resolve())),
          );
        },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the sweep in the running service', () => {
  for (const runtime of ['node', 'deno'] as const) {
    test(`${runtime}: replaced and deleted pictures serve until the cleanup period has passed, then only current pictures remain`, async () => {
      const target = await startEmbedded(runtime, { CLEANUP_GRACE_MS: '1500', CLEANUP_INTERVAL_MS: '300' });
      try {
        const put = async (userId: string, rgb: [number, number, number]) => {
          const res = await fetch(`${target.base}/api/pictures/${userId}`, {
            method: 'PUT',
            body: solidPng(rgb),
            headers: admin,
          });
          assert.equal(res.status, 201);
          return (await res.json()) as PictureMeta;
        };
        const old = await put('ada', [1, 1, 1]);
        const current = await put('ada', [2, 2, 2]);
        const gone = await put('bob', [3, 3, 3]);
        assert.equal(
          (await fetch(`${target.base}/api/pictures/bob`, { method: 'DELETE', headers: admin })).status,
          204,
        );
        assert.equal(
          (await fetch(`${target.base}/api/pictures/bob`)).status,
          404,
          'a deleted picture is no answer at once',
        );
        for (const meta of [old, gone])
          assert.equal(
            (await fetch(new URL(meta.url, target.base))).status,
            200,
            'what a cache or a page may hold still serves',
          );
        const expected = [
          'current/ada.json',
          ...current.variants.map((v) => `variants/ada/${current.version}/${v.width}.webp`),
        ].sort();
        // The copies go first and the marker last, within one sweep: wait for what is left, not for the first 404.
        await until(
          async () => JSON.stringify((await filesUnder(target.dataDir)).sort()) === JSON.stringify(expected),
          'the replaced and the deleted picture to go',
        );
        for (const meta of [old, gone]) assert.equal((await fetch(new URL(meta.url, target.base))).status, 404);
        assert.equal((await fetch(new URL(current.url, target.base))).status, 200);
        await until(
          () => /\[cleanup\] removed \d+ objects no pointer names/.test(target.service.output()),
          'the sweep to log what it removed',
        );
      } finally {
        await target.stop();
      }
    });
  }
});
