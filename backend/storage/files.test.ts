import assert from 'node:assert/strict';
import { access, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createFileStorage } from './files.ts';
import { describeStorage, fixture, readAll } from './storage.contract.ts';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describeStorage('files', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'files-storage-'));
  return {
    open: () => createFileStorage({ dir }),
    hasObject: (userId, version) => exists(join(dir, 'objects', userId, version)),
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

  test('keeps the documented layout: objects/{user}/{version} and current/{user}.json', async () => {
    const storage = createFileStorage({ dir: join(dir, 'layout') });
    const { data, picture } = await fixture('layout');
    await storage.put('ada', picture, data);
    assert.deepEqual(new Uint8Array(await readFile(join(dir, 'layout', 'objects', 'ada', picture.version))), data);
    assert.deepEqual(JSON.parse(await readFile(join(dir, 'layout', 'current', 'ada.json'), 'utf8')), picture);
    // No temp file is left behind by a successful write.
    assert.deepEqual(await readdir(join(dir, 'layout', 'objects', 'ada')), [picture.version]);
    assert.deepEqual(await readdir(join(dir, 'layout', 'current')), ['ada.json']);
  });

  test('a crash between temp write and rename leaves the previous picture whole', async () => {
    const root = join(dir, 'crash');
    const storage = createFileStorage({ dir: root });
    const one = await fixture('crash v1');
    const two = await fixture('crash v2');
    await storage.put('ada', one.picture, one.data);
    // What a crash mid-put leaves: half-written temp files next to the real ones, never renamed.
    await writeFile(join(root, 'objects', 'ada', `.${two.picture.version}.0000.tmp`), two.data.subarray(0, 3));
    await writeFile(join(root, 'current', `.ada.json.0000.tmp`), '{"version":"');

    const fresh = createFileStorage({ dir: root });
    assert.deepEqual(await fresh.current('ada'), one.picture);
    assert.equal(await fresh.read('ada', two.picture.version), null);
    const bytes = await fresh.read('ada', one.picture.version);
    assert.ok(bytes);
    assert.deepEqual(await readAll(bytes.body), one.data);

    // The next put goes through regardless.
    await fresh.put('ada', two.picture, two.data);
    assert.deepEqual(await fresh.current('ada'), two.picture);
    const replaced = await fresh.read('ada', two.picture.version);
    assert.ok(replaced);
    assert.deepEqual(await readAll(replaced.body), two.data);
  });

  test('a stream being read survives the picture being replaced', async () => {
    const storage = createFileStorage({ dir: join(dir, 'replace-while-reading') });
    const one = await fixture('x'.repeat(200_000));
    const two = await fixture('y');
    await storage.put('ada', one.picture, one.data);
    const bytes = await storage.read('ada', one.picture.version);
    assert.ok(bytes);
    await storage.put('ada', two.picture, two.data);
    assert.deepEqual(await readAll(bytes.body), one.data);
  });

  test('a corrupt pointer throws rather than pretending there is no picture', async () => {
    const root = join(dir, 'corrupt');
    await mkdir(join(root, 'current'), { recursive: true });
    await writeFile(join(root, 'current', 'ada.json'), '{"version": 42}');
    await assert.rejects(createFileStorage({ dir: root }).current('ada'), /Corrupt picture pointer/);
  });

  test('ping creates the directories, and throws when the directory cannot be used', async () => {
    const root = join(dir, 'ping');
    await createFileStorage({ dir: root }).ping();
    assert.ok(await exists(join(root, 'objects')));
    assert.ok(await exists(join(root, 'current')));
    assert.deepEqual((await readdir(root)).sort(), ['current', 'objects']);
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
    const { picture, data } = await fixture('deleted');
    await assert.rejects(storage.put('ada', picture, data), { code: 'ENOENT' });
    assert.equal(await exists(root), false, 'nothing made again, nothing written');
  });

  test('locate points at this service for 60 minutes by default', async () => {
    const { picture } = await fixture('locate');
    const location = await createFileStorage({ dir }).locate('ada', picture, 1_000);
    assert.deepEqual(location, { url: `/images/ada/${picture.version}`, expiresAt: 1_000 + 60 * 60_000 });
  });

  test('misconfiguration throws at construction', () => {
    assert.throws(() => createFileStorage({ dir: '' }), /DATA_DIR/);
    assert.throws(() => createFileStorage({ dir, urlTtlMs: 0 }), /urlTtlMs/);
  });
});
