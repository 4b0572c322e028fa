import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { PictureStorage, StoredPicture } from './storage.ts';

/** One place pictures are kept (a directory, a bucket), fresh for each test. */
export interface StorageHarness {
  /** A new storage instance over the same place: nothing may live in an instance's memory. */
  open(): PictureStorage;
  /** Whether a version's bytes are kept, looked at directly rather than through the storage. */
  hasObject(userId: string, version: string): Promise<boolean>;
  /** Makes every pointer write fail until the returned function is called. */
  breakPointerWrites(): Promise<() => Promise<void>>;
  /** Removes the place and anything the harness started. */
  cleanup(): Promise<void>;
}

/** Distinct small "pictures" with their StoredPicture, as the service would make them. */
export async function fixture(text: string, contentType = 'image/png', updatedAt = 1_700_000_000_000) {
  const data = new TextEncoder().encode(text);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  const version = Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
  const picture: StoredPicture = { version, contentType, bytes: data.byteLength, updatedAt };
  return { data, picture };
}

export async function readAll(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/**
 * The behaviour every PictureStorage promises, run against one implementation. `make` prepares a fresh place
 * for each test; the suite cleans it up.
 */
export function describeStorage(name: string, make: () => Promise<StorageHarness>): void {
  describe(`${name}: the PictureStorage contract`, () => {
    let harness: StorageHarness;
    let storage: PictureStorage;
    beforeEach(async () => {
      harness = await make();
      storage = harness.open();
    });
    afterEach(() => harness.cleanup());

    test('put, then current and read give back the picture, its type and its bytes', async () => {
      const { data, picture } = await fixture('ada v1', 'image/webp');
      await storage.put('ada', picture, data);
      assert.deepEqual(await storage.current('ada'), picture);
      const bytes = await storage.read('ada', picture.version);
      assert.ok(bytes);
      assert.equal(bytes.contentType, 'image/webp');
      assert.equal(bytes.bytes, data.byteLength);
      assert.deepEqual(await readAll(bytes.body), data);
    });

    test('replacing a picture commits the new one and removes the old bytes', async () => {
      const one = await fixture('ada v1');
      const two = await fixture('ada v2', 'image/jpeg', 1_700_000_001_000);
      await storage.put('ada', one.picture, one.data);
      await storage.put('ada', two.picture, two.data);
      assert.deepEqual(await storage.current('ada'), two.picture);
      assert.equal(await harness.hasObject('ada', one.picture.version), false);
      assert.equal(await harness.hasObject('ada', two.picture.version), true);
      assert.equal(await storage.read('ada', one.picture.version), null);
      const bytes = await storage.read('ada', two.picture.version);
      assert.ok(bytes);
      assert.deepEqual(await readAll(bytes.body), two.data);
    });

    test('the old bytes stay when the new pointer cannot be written', async () => {
      const one = await fixture('ada v1');
      const two = await fixture('ada v2');
      await storage.put('ada', one.picture, one.data);
      const repair = await harness.breakPointerWrites();
      try {
        await assert.rejects(storage.put('ada', two.picture, two.data));
      } finally {
        await repair();
      }
      assert.deepEqual(await storage.current('ada'), one.picture);
      assert.equal(await harness.hasObject('ada', one.picture.version), true);
      const bytes = await storage.read('ada', one.picture.version);
      assert.ok(bytes);
      assert.deepEqual(await readAll(bytes.body), one.data);
    });

    test('putting the current version again changes nothing and keeps the bytes', async () => {
      const { data, picture } = await fixture('ada v1');
      await storage.put('ada', picture, data);
      await storage.put('ada', { ...picture, updatedAt: picture.updatedAt + 5_000 }, data);
      assert.deepEqual(await storage.current('ada'), picture);
      assert.equal(await harness.hasObject('ada', picture.version), true);
      const bytes = await storage.read('ada', picture.version);
      assert.ok(bytes);
      assert.deepEqual(await readAll(bytes.body), data);
    });

    test('remove answers what it removed, then the user has no picture and no bytes', async () => {
      const { data, picture } = await fixture('ada v1');
      await storage.put('ada', picture, data);
      assert.deepEqual(await storage.remove('ada'), picture);
      assert.equal(await storage.current('ada'), null);
      assert.equal(await storage.read('ada', picture.version), null);
      assert.equal(await harness.hasObject('ada', picture.version), false);
      assert.equal(await storage.remove('ada'), null);
    });

    test('a user with no picture: current, read and remove answer null', async () => {
      assert.equal(await storage.current('nobody'), null);
      assert.equal(await storage.read('nobody', 'a'.repeat(32)), null);
      assert.equal(await storage.remove('nobody'), null);
    });

    test('users are independent', async () => {
      const ada = await fixture('ada');
      const bob = await fixture('bob');
      await storage.put('ada', ada.picture, ada.data);
      await storage.put('bob', bob.picture, bob.data);
      await storage.remove('ada');
      assert.deepEqual(await storage.current('bob'), bob.picture);
      assert.equal(await harness.hasObject('bob', bob.picture.version), true);
    });

    test('a new instance over the same place sees the current picture', async () => {
      const { data, picture } = await fixture('ada v1');
      await storage.put('ada', picture, data);
      const other = harness.open();
      assert.deepEqual(await other.current('ada'), picture);
      const bytes = await other.read('ada', picture.version);
      assert.ok(bytes);
      assert.deepEqual(await readAll(bytes.body), data);
    });

    test('locate gives one URL per version, valid into the future, without storing anything', async () => {
      const one = await fixture('ada v1');
      const two = await fixture('ada v2');
      const now = 1_700_000_000_000;
      const a = await storage.locate('ada', one.picture, now);
      const b = await harness.open().locate('ada', one.picture, now + 1_000);
      assert.equal(a.url, b.url);
      assert.ok(a.expiresAt > now + 30 * 60_000, 'a URL lives well beyond the lookup cache margin');
      assert.notEqual((await storage.locate('ada', two.picture, now)).url, a.url);
      assert.notEqual((await storage.locate('bob', one.picture, now)).url, a.url);
      assert.ok(a.url.includes(`ada/${one.picture.version}`));
    });

    test('ids and versions that could escape a path are refused', async () => {
      const { data, picture } = await fixture('evil');
      await assert.rejects(storage.put('../ada', picture, data), TypeError);
      await assert.rejects(storage.put('ada', { ...picture, version: '../../x' }, data), TypeError);
      await assert.rejects(storage.put('ada', { ...picture, bytes: 1 }, data), TypeError);
      await assert.rejects(storage.put('ada', { ...picture, contentType: 'image/png\r\nX-Evil: 1' }, data), TypeError);
      await assert.rejects(storage.current('a/b'), TypeError);
      await assert.rejects(storage.remove(''), TypeError);
      await assert.rejects(storage.locate('ada', { ...picture, version: 'x/y' }, 0), TypeError);
      // A version comes from a URL: one that cannot exist is simply not stored.
      assert.equal(await storage.read('ada', '../current/ada.json'), null);
    });

    test('ping succeeds on a working storage', async () => {
      await storage.ping();
    });
  });
}
