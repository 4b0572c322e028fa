// What a change leaves for the sweep, and what the sweep removes, on files and on S3: a crash injected before every
// write of an upload, a delete and a sweep; several instances sweeping at once; an upload in progress; a pointer
// that cannot be read.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { Client } from 'minio';
import { sleep } from '../../scripts/testing/wait.ts';
import { startS3Server, type S3Server } from '../testing/s3-server.ts';
import type { StorageBackend } from './backend.ts';
import { createFileBackend } from './files.ts';
import { createMinioBackend, ensureBucket } from './minio.ts';
import { createPictureStorage } from './picture-storage.ts';
import { fixture, GRACE_MS, namesOf, pastGrace, readAll } from './storage.contract.ts';
import type { PictureStorage, StoredPicture } from './storage.ts';

const REGION = 'eu-west-1';

/** One place (a directory, a bucket), fresh for each test, looked at directly as well as through its backend. */
interface Place {
  backend(): StorageBackend;
  /** Every object in the place, as sorted paths or keys (temp files and markers too). */
  everything(): Promise<string[]>;
  /** Writes `text` as the user's pointer directly, as a crash on a store that does not write atomically leaves it. */
  writePointer(userId: string, text: string): Promise<void>;
  /** A grace period short enough to wait out, long enough that nothing written during a sweep looks older. */
  graceMs: number;
  /** Waits until everything written so far is older than `graceMs`. */
  settle(): Promise<void>;
  cleanup(): Promise<void>;
}

/** Thrown by a backend after its crash point: the process is gone, nothing more reaches the place. */
class Crash extends Error {}

const WRITES = new Set<keyof StorageBackend>([
  'writePointer',
  'deletePointer',
  'writeCopy',
  'removeOriginal',
  'markUnnamed',
  'discard',
]);

/** `backend` until `writes` writes have gone through; from then on every call throws, as after a SIGKILL. */
function crashingAfter(backend: StorageBackend, writes: number): StorageBackend & { crashed(): boolean } {
  let done = 0;
  let crashed = false;
  return new Proxy(backend, {
    get(target, property, receiver) {
      if (property === 'crashed') return () => crashed;
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (crashed || (WRITES.has(property as keyof StorageBackend) && done++ === writes)) {
          crashed = true;
          throw new Crash(`crashed before ${String(property)}`);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  }) as StorageBackend & { crashed(): boolean };
}

/** Reads every copy of `picture` and checks each is whole. */
async function assertServes(
  storage: PictureStorage,
  userId: string,
  picture: StoredPicture,
  files: readonly Uint8Array[],
  what: string,
) {
  for (const [i, { width }] of picture.variants!.entries()) {
    const copy = await storage.read(userId, picture.version, width);
    assert.ok(copy, `${what}: the ${width}-px copy is there`);
    assert.deepEqual(await readAll(copy.body), files[i], `${what}: the ${width}-px copy is whole`);
  }
}

/** The names a place holds for a user whose only objects are `picture`'s pointer and copies. */
function onlyCurrent(userId: string, picture: StoredPicture | null): string[] {
  return picture
    ? [`current/${userId}.json`, ...namesOf(picture).map((name) => `variants/${userId}/${name}`)].sort()
    : [];
}

function describeCleanup(name: 'files' | 's3', make: () => Promise<Place>) {
  describe(`sweeping ${name}`, () => {
    let place: Place;
    const open = (backend = place.backend(), log: Pick<Console, 'warn'> = { warn() {} }) =>
      createPictureStorage(backend, { log });
    const ofUser = async (userId: string) =>
      (await place.everything()).filter((key) => key.includes(`/${userId}/`) || key.endsWith(`/${userId}.json`));
    beforeEach(async () => {
      place = await make();
    });
    afterEach(() => place.cleanup());

    test('a crash before any write of an upload: the old or the new picture, both serve until a sweep past the grace period, then only it remains', async (t) => {
      const one = await fixture('one');
      const two = await fixture('two');
      // An upload writes a marker for the version it replaces, then each copy, then the pointer: 5 writes.
      for (let writes = 0; writes <= 5; writes++) {
        const userId = `up${writes}`;
        await open().put(userId, one.picture, one.files);
        const crashing = crashingAfter(place.backend(), writes);
        await open(crashing)
          .put(userId, two.picture, two.files)
          .catch((error) => assert.ok(error instanceof Crash, String(error)));
        const after = open();
        const current = await after.current(userId);
        const which = current?.version === one.picture.version ? one : two;
        assert.deepEqual(current, which.picture, `crash before write ${writes + 1}: the old picture or the new one`);
        // A lookup that read the old pointer before the commit may have cached it: it serves, within the grace period.
        await after.sweep({ graceMs: GRACE_MS });
        await assertServes(after, userId, one.picture, one.files, `crash before write ${writes + 1}, the old version`);
        await assertServes(
          after,
          userId,
          which.picture,
          which.files,
          `crash before write ${writes + 1}, the current version`,
        );
        await open().sweep(pastGrace());
        assert.deepEqual(
          await ofUser(userId),
          onlyCurrent(userId, which.picture),
          `crash before write ${writes + 1}: only the current picture is left`,
        );
        t.diagnostic(
          `${crashing.crashed() ? `crash before write ${writes + 1} of 5` : 'no crash'}: the ${which === one ? 'old' : 'new'} picture, and then only it`,
        );
      }
    });

    test('a crash before any write of a delete: the picture is there or gone, its bytes serve until a sweep past the grace period', async () => {
      const one = await fixture('one');
      // A delete writes a marker, then removes the pointer: 2 writes.
      for (let writes = 0; writes <= 2; writes++) {
        const userId = `del${writes}`;
        await open().put(userId, one.picture, one.files);
        await open(crashingAfter(place.backend(), writes))
          .remove(userId)
          .catch((error) => assert.ok(error instanceof Crash, String(error)));
        const after = open();
        const current = await after.current(userId);
        assert.ok(current === null || current.version === one.picture.version);
        await after.sweep({ graceMs: GRACE_MS });
        await assertServes(after, userId, one.picture, one.files, `crash before write ${writes + 1} of a delete`);
        await after.sweep(pastGrace());
        assert.deepEqual(await ofUser(userId), onlyCurrent(userId, current));
      }
    });

    test('a sweep cut short by a crash is finished by the next one, which removes nothing named', async () => {
      const pictures = await Promise.all(['a', 'b', 'c'].map((text) => fixture(text)));
      for (const userId of ['ann', 'bo'])
        for (const { picture, files } of pictures) await open().put(userId, picture, files);
      const last = pictures.at(-1)!;
      for (let writes = 0; writes < 6; writes++) {
        await open(crashingAfter(place.backend(), writes))
          .sweep(pastGrace())
          .catch((error) => assert.ok(error instanceof Crash, String(error)));
        for (const userId of ['ann', 'bo'])
          await assertServes(open(), userId, last.picture, last.files, `after a sweep cut off at write ${writes + 1}`);
      }
      await open().sweep(pastGrace());
      assert.deepEqual(
        await place.everything(),
        [...onlyCurrent('ann', last.picture), ...onlyCurrent('bo', last.picture)].sort(),
      );
    });

    test('several instances sweeping at once while others upload: every current picture whole, then nothing else', async () => {
      const users = Array.from({ length: 6 }, (_, i) => `many${i}`);
      const made = await Promise.all(Array.from({ length: 4 }, (_, i) => fixture(`many v${i}`)));
      for (const userId of users)
        for (const { picture, files } of made.slice(0, 3)) await open().put(userId, picture, files);
      await place.settle();
      const last = made.at(-1)!;
      const reports = await Promise.all([
        ...users.map((userId) => open().put(userId, last.picture, last.files)),
        ...[1, 2, 3].map(() => open().sweep({ graceMs: place.graceMs })),
      ]);
      for (const userId of users) {
        const current = await open().current(userId);
        assert.deepEqual(current, last.picture, `${userId} has the last upload`);
        await assertServes(open(), userId, last.picture, last.files, userId);
      }
      await open().sweep(pastGrace());
      assert.deepEqual(await place.everything(), users.flatMap((userId) => onlyCurrent(userId, last.picture)).sort());
      assert.equal(reports.length, users.length + 3);
    });

    test('an upload in progress is never touched: its copies are younger than the grace period', async () => {
      const one = await fixture('one');
      const two = await fixture('two');
      await open().put('ada', one.picture, one.files);
      await place.settle();
      // The upload stops after its second copy, for as long as the sweep takes.
      let resume!: () => void;
      const paused = new Promise<void>((resolve) => (resume = resolve));
      let reached!: () => void;
      const atPause = new Promise<void>((resolve) => (reached = resolve));
      const backend = place.backend();
      let copies = 0;
      const slow: StorageBackend = {
        ...backend,
        kind: backend.kind,
        async writeCopy(...args) {
          await backend.writeCopy(...args);
          if (++copies === 2) {
            reached();
            await paused;
          }
        },
      };
      const upload = open(slow).put('ada', two.picture, two.files);
      await atPause;
      const report = await open().sweep({ graceMs: place.graceMs });
      assert.equal(report.removed.copy, 0, 'no copy, of the current picture or of the upload');
      resume();
      await upload;
      await assertServes(open(), 'ada', two.picture, two.files, 'the upload');
      await assertServes(open(), 'ada', one.picture, one.files, 'the picture it replaced');
    });

    test('a pointer that cannot be read answers the newest whole version, logged in one line, and is repaired', async () => {
      const one = await fixture('one');
      const two = await fixture('two');
      const three = await fixture('three');
      await open().put('ada', one.picture, one.files);
      await place.settle();
      await open().put('ada', two.picture, two.files);
      await place.settle();
      // A newer upload cut off after its first copy, then its pointer write cut short.
      await place.backend().writeCopy('ada', three.picture.version, 64, three.files[0]!);
      await place.writePointer('ada', '');
      const warnings: string[] = [];
      const storage = open(place.backend(), { warn: (line: string) => warnings.push(line) });
      const expected = { version: two.picture.version, variants: two.picture.variants };
      const found = await storage.current('ada');
      assert.deepEqual({ version: found?.version, variants: found?.variants }, expected);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(
        warnings[0]!,
        new RegExp(
          `Corrupt picture pointer .*ada.*: answering ada's newest whole version ${two.picture.version} .*the pointer now names it`,
        ),
      );
      assert.doesNotMatch(warnings[0]!, /\n/);
      // Repaired: a new instance reads it without a word.
      const again = await open(place.backend(), { warn: (line: string) => warnings.push(line) }).current('ada');
      assert.deepEqual({ version: again?.version, variants: again?.variants }, expected);
      assert.equal(warnings.length, 1);
      await assertServes(storage, 'ada', two.picture, two.files, 'the version answered');
      // What the fallback passed over was marked unnamed when the pointer was repaired: it goes at the sweep.
      await storage.sweep(pastGrace());
      assert.deepEqual(await ofUser('ada'), onlyCurrent('ada', two.picture));
    });

    test('a copy cut short is not whole; with no whole version, an unreadable pointer throws, and an upload mends it', async () => {
      const one = await fixture('one');
      const two = await fixture('two');
      await place.backend().writeCopy('ada', one.picture.version, 64, one.files[0]!);
      await place.writePointer('ada', '{"version":"');
      await assert.rejects(open().current('ada'), /Corrupt picture pointer/);
      // Every copy there but one cut short: not whole either.
      for (const [i, { width }] of one.picture.variants!.entries()) {
        await place
          .backend()
          .writeCopy('ada', one.picture.version, width, i === 1 ? one.files[i]!.subarray(0, 5) : one.files[i]!);
      }
      await assert.rejects(open().current('ada'), /Corrupt picture pointer/);
      // The sweep leaves such a user alone, and says so.
      await place.backend().markUnnamed('ada', one.picture.version);
      const before = await ofUser('ada');
      assert.equal((await open().sweep(pastGrace())).skipped, 1);
      assert.deepEqual(await ofUser('ada'), before);
      await open().put('ada', two.picture, two.files);
      assert.deepEqual(await open().current('ada'), two.picture);
      await open().sweep(pastGrace());
      assert.deepEqual(await ofUser('ada'), onlyCurrent('ada', two.picture));
    });

    test('deleting a user whose pointer cannot be read removes it; its bytes go at the sweep', async () => {
      const one = await fixture('one');
      await open().put('ada', one.picture, one.files);
      await place.writePointer('ada', '');
      const removed = await open().remove('ada');
      assert.equal(removed?.version, one.picture.version);
      assert.equal(await open().current('ada'), null);
      await assertServes(open(), 'ada', one.picture, one.files, 'until the sweep');
      await open().sweep(pastGrace());
      assert.deepEqual(await ofUser('ada'), []);
    });

    test('a sweep of a place holding only current pictures reads no pointer', async () => {
      const one = await fixture('one');
      for (const userId of ['a1', 'a2', 'a3']) await open().put(userId, one.picture, one.files);
      await open().sweep(pastGrace());
      let pointerReads = 0;
      const backend = place.backend();
      const counting: StorageBackend = {
        ...backend,
        kind: backend.kind,
        readPointer: (userId) => {
          pointerReads++;
          return backend.readPointer(userId);
        },
      };
      const report = await open(counting).sweep(pastGrace());
      assert.deepEqual(report, { users: 0, removed: { copy: 0, original: 0, unnamed: 0, temp: 0 }, skipped: 0 });
      assert.equal(pointerReads, 0);
    });
  });
}

/** Every file under `root`, as sorted `/`-separated paths relative to it. */
async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) =>
      join(e.parentPath, e.name)
        .slice(root.length + 1)
        .split(sep)
        .join('/'),
    )
    .sort();
}

describeCleanup('files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cleanup-files-'));
  return {
    backend: () => createFileBackend({ dir }),
    everything: () => filesUnder(dir),
    writePointer: (userId, text) => writeFile(join(dir, 'current', `${userId}.json`), text),
    // File dates are in milliseconds.
    graceMs: 200,
    settle: () => sleep(250), // a clock rule: what was written is now older than graceMs
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

let s3: S3Server;
let buckets = 0;
before(async () => {
  s3 = await startS3Server({ region: REGION });
});
after(() => s3?.stop());

describeCleanup('s3', async () => {
  const client = new Client(s3.clientOptions);
  const bucket = `cleanup-${++buckets}`;
  await ensureBucket({ client, bucket, region: REGION });
  return {
    backend: () => createMinioBackend({ client: new Client(s3.clientOptions), bucket, region: REGION }),
    async everything() {
      const keys: string[] = [];
      for await (const item of client.listObjectsV2(bucket, '', true)) if (item.name) keys.push(item.name);
      return keys.sort();
    },
    writePointer: async (userId, text) => {
      await client.putObject(bucket, `current/${userId}.json`, Buffer.from(text), Buffer.byteLength(text));
    },
    // S3 dates objects in whole seconds: what is written now may look up to a second older.
    graceMs: 2_500,
    settle: () => sleep(2_600), // a clock rule: what was written is now older than graceMs
    cleanup: async () => undefined,
  };
});
