import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createFileStorage } from './files.ts';
import { describeStorage, fixture, legacyFixture, namesOf, pastGrace, readAll } from './storage.contract.ts';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Every file under `root` (not directories), as sorted `/`-separated paths relative to it; none when it is missing. */
async function filesUnder(root: string): Promise<string[]> {
  if (!(await exists(root))) return [];
  const names: string[] = [];
  for (const name of await readdir(root, { recursive: true })) {
    if ((await stat(join(root, name))).isFile()) names.push(name.split(sep).join('/'));
  }
  return names.sort();
}

async function writeFileIn(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
}

describeStorage('files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'files-storage-'));
  return {
    open: () => createFileStorage({ dir }),
    variantFiles: (userId) => filesUnder(join(dir, 'variants', userId)),
    hasOriginal: (userId, version) => exists(join(dir, 'objects', userId, version)),
    writeOriginal: (userId, version, data) => writeFileIn(join(dir, 'objects', userId, version), data),
    writePointer: (userId, text) => writeFileIn(join(dir, 'current', `${userId}.json`), text),
    async breakPointerWrites() {
      // A plain file where the pointer directory should be: every pointer write then fails.
      const current = join(dir, 'current');
      const aside = join(dir, 'current-aside');
      await mkdir(current, { recursive: true });
      await rename(current, aside);
      await writeFile(current, 'not a directory');
      return async () => {
        await rm(current);
        await rename(aside, current);
      };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('files storage', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'files-storage-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('keeps the documented layout: variants/{user}/{version}/{width}.webp and current/{user}.json', async () => {
    const root = join(dir, 'layout');
    const storage = createFileStorage({ dir: root });
    const { files, picture } = await fixture('layout');
    await storage.put('ada', picture, files);
    for (const [i, { width }] of picture.variants!.entries()) {
      assert.deepEqual(
        new Uint8Array(await readFile(join(root, 'variants', 'ada', picture.version, `${width}.webp`))),
        files[i],
      );
    }
    // Exactly the picture's fields: nothing else is written into the pointer.
    assert.deepEqual(JSON.parse(await readFile(join(root, 'current', 'ada.json'), 'utf8')), picture);
    // No temp file is left behind by a successful write, and no upload is kept; a first upload leaves one marker,
    // dated before its copies, so a sweep would find them had the commit never come.
    const [marker, ...rest] = await filesUnder(root).then((names) => [
      names.find((name) => name.startsWith('unnamed/')),
      ...names.filter((name) => !name.startsWith('unnamed/')),
    ]);
    assert.match(marker ?? '', new RegExp(`^unnamed/ada/${picture.version}\\.[0-9a-f-]{36}$`));
    assert.deepEqual(rest, [
      'current/ada.json',
      ...picture.variants!.map(({ width }) => `variants/ada/${picture.version}/${width}.webp`).sort(),
    ]);
  });

  test('a crash between temp write and rename leaves the previous picture whole', async () => {
    const root = join(dir, 'crash');
    const storage = createFileStorage({ dir: root });
    const one = await fixture('crash v1');
    const two = await fixture('crash v2');
    await storage.put('ada', one.picture, one.files);
    // What a crash mid-put leaves: half-written temp files next to the real ones, never renamed.
    await writeFileIn(
      join(root, 'variants', 'ada', two.picture.version, '.64.webp.0000.tmp'),
      two.files[0]!.subarray(0, 3),
    );
    await writeFile(join(root, 'current', '.ada.json.0000.tmp'), '{"version":"');

    const fresh = createFileStorage({ dir: root });
    assert.deepEqual(await fresh.current('ada'), one.picture);
    assert.equal(await fresh.read('ada', two.picture.version, 64), null);
    const bytes = await fresh.read('ada', one.picture.version, 64);
    assert.ok(bytes);
    assert.deepEqual(await readAll(bytes.body), one.files[0]);

    // The next put goes through regardless; a sweep past the grace period takes the old version's folder with its
    // copies, and the temp files.
    await fresh.put('ada', two.picture, two.files);
    assert.deepEqual(await fresh.current('ada'), two.picture);
    const replaced = await fresh.read('ada', two.picture.version, 64);
    assert.ok(replaced);
    assert.deepEqual(await readAll(replaced.body), two.files[0]);
    await fresh.sweep(pastGrace());
    assert.equal(await exists(join(root, 'variants', 'ada', one.picture.version)), false);
    assert.deepEqual(await filesUnder(root), [
      'current/ada.json',
      ...namesOf(two.picture).map((name) => `variants/ada/${name}`),
    ]);
  });

  test('a crash after the copies are written but before the commit leaves the previous picture current', async () => {
    const root = join(dir, 'crash-before-commit');
    const storage = createFileStorage({ dir: root });
    const one = await fixture('crash v1');
    const two = await fixture('crash v2');
    await storage.put('ada', one.picture, one.files);
    // Copies are written first and renamed into place one by one; the pointer is the commit.
    for (const [i, { width }] of two.picture.variants!.entries()) {
      await writeFileIn(join(root, 'variants', 'ada', two.picture.version, `${width}.webp`), two.files[i]!);
    }
    const fresh = createFileStorage({ dir: root });
    assert.deepEqual(await fresh.current('ada'), one.picture);
    const bytes = await fresh.read('ada', one.picture.version, 128);
    assert.ok(bytes);
    assert.deepEqual(await readAll(bytes.body), one.files[1]);
    // Putting it again commits it: the copies already there are the same bytes.
    await fresh.put('ada', two.picture, two.files);
    assert.deepEqual(await fresh.current('ada'), two.picture);
    await fresh.sweep(pastGrace());
    assert.deepEqual(await filesUnder(join(root, 'variants', 'ada')), namesOf(two.picture));
  });

  test('a stream being read survives the picture being replaced and swept', async () => {
    const storage = createFileStorage({ dir: join(dir, 'replace-while-reading') });
    const one = await fixture('x'.repeat(200_000));
    const two = await fixture('y');
    await storage.put('ada', one.picture, one.files);
    const bytes = await storage.read('ada', one.picture.version, 256);
    assert.ok(bytes);
    await storage.put('ada', two.picture, two.files);
    await storage.sweep(pastGrace());
    assert.equal(await storage.read('ada', one.picture.version, 256), null, 'the old copy is gone for new readers');
    assert.deepEqual(await readAll(bytes.body), one.files[2]);
  });

  test('ping accepts a data directory from before copies were made, and what it kept still reads', async () => {
    const root = join(dir, 'legacy-dir');
    const legacy = await legacyFixture('ada');
    // The old layout: objects/ and current/, no variants/.
    await writeFileIn(join(root, 'objects', 'ada', legacy.pointer.version), legacy.original);
    await writeFileIn(join(root, 'current', 'ada.json'), JSON.stringify(legacy.pointer));
    const storage = createFileStorage({ dir: root });
    await storage.ping();
    assert.deepEqual(await storage.current('ada'), legacy.picture);
    assert.deepEqual(await storage.readOriginal('ada', legacy.pointer.version), legacy.original);
  });

  test('ping creates the directories, and throws when the directory cannot be used', async () => {
    const root = join(dir, 'ping');
    await createFileStorage({ dir: root }).ping();
    assert.deepEqual((await readdir(root)).sort(), ['current', 'variants']);
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    await assert.rejects(createFileStorage({ dir: file }).ping());
  });

  test('a data directory deleted after the first ping is an outage, not an empty store or users without pictures', async () => {
    const root = join(dir, 'deleted');
    const storage = createFileStorage({ dir: root });
    await storage.ping();
    await rm(root, { recursive: true });
    await assert.rejects(storage.ping(), { code: 'ENOENT' });
    await assert.rejects(storage.current('ada'), { code: 'ENOENT' }, 'not "ada has no picture"');
    await assert.rejects(storage.remove('ada'), { code: 'ENOENT' }, 'not "ada had no picture"');
    const { picture, files } = await fixture('deleted');
    await assert.rejects(storage.put('ada', picture, files), { code: 'ENOENT' });
    assert.equal(await exists(root), false, 'nothing made again, nothing written');
  });

  test('misconfiguration throws at construction', () => {
    assert.throws(() => createFileStorage({ dir: '' }), /DATA_DIR/);
  });
});
