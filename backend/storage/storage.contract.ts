import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { concat } from '../bytes.ts';
import { type PictureBytes, type PictureStorage, type StoredPicture, WHOLE_COPY_BYTES } from './storage.ts';

/** One place pictures are kept (a directory, a bucket), fresh for each test. */
export interface StorageHarness {
  /** A new storage instance over the same place: nothing may live in an instance's memory. */
  open(): PictureStorage;
  /**
   * Everything kept under `variants/{userId}/`, as sorted `{version}/{width}.webp` names (a leftover temp file
   * shows too), looked at directly rather than through the storage.
   */
  variantFiles(userId: string): Promise<string[]>;
  /** Whether an upload kept from before copies were made is still there, looked at directly. */
  hasOriginal(userId: string, version: string): Promise<boolean>;
  /** Writes an upload where a deployment from before copies were made kept it (`objects/`, `pictures/`). */
  writeOriginal(userId: string, version: string, data: Uint8Array): Promise<void>;
  /** Writes `text` as the user's pointer, as something other than this storage could have. */
  writePointer(userId: string, text: string): Promise<void>;
  /** Makes every pointer write fail until the returned function is called. */
  breakPointerWrites(): Promise<() => Promise<void>>;
  /** Removes the place and anything the harness started. */
  cleanup(): Promise<void>;
}

/** The grace period the suite sweeps with: long past anything a test writes. */
export const GRACE_MS = 60_000;

/** Sweep options as if the grace period had passed since everything was written. */
export function pastGrace() {
  return { graceMs: GRACE_MS, now: Date.now() + GRACE_MS + 1 };
}

/** A preview as the service stores it: three colours. */
export const PREVIEW = '5a4a3ad9b59a2f4f7f';

/** A real 1×1 WebP, as pictures stored before previews were colours carry theirs. */
export const PLACEHOLDER = 'data:image/webp;base64,UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA';

async function contentHash(data: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', concat([data])));
  return Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The copies of one small "picture" with their StoredPicture, as the service makes them: each width its own bytes
 * (of a different length), the version the hash of them all. Different texts give different versions.
 */
export async function fixture(text: string, options: { widths?: readonly number[]; updatedAt?: number } = {}) {
  const { widths = [64, 128, 256], updatedAt = 1_700_000_000_000 } = options;
  const files = widths.map((width) => new TextEncoder().encode(`${text} at ${width} px${'.'.repeat(width / 32)}`));
  const picture: StoredPicture = {
    version: await contentHash(concat(files)),
    updatedAt,
    variants: widths.map((width, i) => ({ width, bytes: files[i]!.byteLength })),
    preview: PREVIEW,
  };
  return { files, picture };
}

/** What a deployment from before copies were made left for a user: the upload and its pointer, in the old shape. */
export async function legacyFixture(text: string, updatedAt = 1_690_000_000_000) {
  const original = new TextEncoder().encode(`${text}, uploaded before copies were made`);
  const version = await contentHash(original);
  const pointer = { version, contentType: 'image/png', bytes: original.byteLength, updatedAt };
  /** What `current` answers for it: the version, without copies (the old fields are not the picture's any more). */
  const picture: StoredPicture = { version, updatedAt };
  return { original, pointer, picture };
}

/** Copies made later for a picture kept from before: under its version and date, as the service commits them. */
export async function copiesFor(picture: StoredPicture, text: string) {
  const made = await fixture(text);
  return { files: made.files, picture: { ...made.picture, version: picture.version, updatedAt: picture.updatedAt } };
}

/** The names `variantFiles` shows for a picture's copies. */
export function namesOf(...pictures: StoredPicture[]): string[] {
  return pictures.flatMap((p) => p.variants!.map((v) => `${p.version}/${v.width}.webp`)).sort();
}

/** A copy's body as bytes, whether it came streamed or whole. */
export async function readAll(body: PictureBytes['body']): Promise<Uint8Array> {
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/** Reads every copy of `picture` through `storage` and checks each is there whole, as `image/webp`. */
async function assertCopies(
  storage: PictureStorage,
  userId: string,
  picture: StoredPicture,
  files: readonly Uint8Array[],
) {
  for (const [i, { width, bytes }] of picture.variants!.entries()) {
    const copy = await storage.read(userId, picture.version, width);
    assert.ok(copy, `the ${width}-px copy is there`);
    assert.equal(copy.contentType, 'image/webp');
    assert.equal(copy.bytes, bytes, `the ${width}-px copy is as long as the pointer says`);
    assert.deepEqual(await readAll(copy.body), files[i], `the ${width}-px copy`);
  }
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

    /**
     * Leaves `userId` as an old deployment did: its upload and a pointer `{version, contentType, bytes, updatedAt}`.
     */
    async function writeLegacy(userId: string, legacy: Awaited<ReturnType<typeof legacyFixture>>): Promise<void> {
      await harness.writeOriginal(userId, legacy.pointer.version, legacy.original);
      await harness.writePointer(userId, JSON.stringify(legacy.pointer));
    }

    test('put, then current and read give back the picture and each copy, as image/webp', async () => {
      const { files, picture } = await fixture('ada v1');
      await storage.put('ada', picture, files);
      assert.deepEqual(await storage.current('ada'), picture);
      await assertCopies(storage, 'ada', picture, files);
      assert.deepEqual(await harness.variantFiles('ada'), namesOf(picture));
      // Only the widths made are served, and nothing of an upload is kept.
      assert.equal(await storage.read('ada', picture.version, 96), null);
      assert.equal(await storage.readOriginal('ada', picture.version), null);
    });

    test('a copy of up to WHOLE_COPY_BYTES is read whole, a larger one streamed, each as stored', async () => {
      const small = await fixture('small');
      const large = await fixture('x'.repeat(WHOLE_COPY_BYTES));
      await storage.put('ada', small.picture, small.files);
      await storage.put('bob', large.picture, large.files);
      for (const [userId, { files, picture }, streamed] of [
        ['ada', small, false],
        ['bob', large, true],
      ] as const) {
        for (const [i, { width }] of picture.variants!.entries()) {
          const copy = (await storage.read(userId, picture.version, width))!;
          assert.equal(copy.body instanceof ReadableStream, streamed, `${userId}'s ${width}-px copy, ${copy.bytes} B`);
          assert.deepEqual(await readAll(copy.body), files[i]);
        }
      }
    });

    test('a picture without a preview is stored without one', async () => {
      const { files, picture } = await fixture('ada plain');
      delete picture.preview;
      await storage.put('ada', picture, files);
      assert.deepEqual(await harness.open().current('ada'), picture);
    });

    test('a picture stored while previews were images keeps its image', async () => {
      const { picture } = await fixture('ada then');
      const before = { ...picture, preview: undefined, placeholder: PLACEHOLDER };
      delete before.preview;
      await harness.writePointer('ada', JSON.stringify(before));
      assert.deepEqual(await harness.open().current('ada'), before);
    });

    test('replacing a version commits the new one; every copy of the old one stays until a sweep past the grace period', async () => {
      // Different widths, so the old copies the new version has no counterpart for must go too.
      const one = await fixture('ada v1', { widths: [64, 128, 256, 512] });
      const two = await fixture('ada v2', { widths: [64, 96], updatedAt: 1_700_000_001_000 });
      await storage.put('ada', one.picture, one.files);
      await storage.put('ada', two.picture, two.files);
      assert.deepEqual(await storage.current('ada'), two.picture);
      await assertCopies(storage, 'ada', two.picture, two.files);
      // A cached lookup may still name the old version: its copies keep serving, within the grace period too.
      await storage.sweep({ graceMs: GRACE_MS });
      await assertCopies(storage, 'ada', one.picture, one.files);
      assert.deepEqual(await harness.variantFiles('ada'), namesOf(one.picture, two.picture));
      await harness.open().sweep(pastGrace());
      assert.deepEqual(await harness.variantFiles('ada'), namesOf(two.picture));
      for (const { width } of one.picture.variants!)
        assert.equal(await storage.read('ada', one.picture.version, width), null);
      await assertCopies(storage, 'ada', two.picture, two.files);
    });

    test('the old copies stay current and whole when the new pointer cannot be written', async () => {
      const one = await fixture('ada v1');
      const two = await fixture('ada v2');
      await storage.put('ada', one.picture, one.files);
      const repair = await harness.breakPointerWrites();
      try {
        await assert.rejects(storage.put('ada', two.picture, two.files));
      } finally {
        await repair();
      }
      assert.deepEqual(await storage.current('ada'), one.picture);
      await assertCopies(storage, 'ada', one.picture, one.files);
      // The next attempt goes through; a sweep past the grace period leaves its copies alone.
      await storage.put('ada', two.picture, two.files);
      assert.deepEqual(await storage.current('ada'), two.picture);
      await storage.sweep(pastGrace());
      assert.deepEqual(await harness.variantFiles('ada'), namesOf(two.picture));
    });

    test('putting the current version again, from another instance too, changes nothing and keeps the copies', async () => {
      const { files, picture } = await fixture('ada v1');
      await storage.put('ada', picture, files);
      await storage.put('ada', { ...picture, updatedAt: picture.updatedAt + 5_000 }, files);
      await harness.open().put('ada', { ...picture, updatedAt: picture.updatedAt + 9_000 }, files);
      assert.deepEqual(await storage.current('ada'), picture);
      assert.deepEqual(await harness.variantFiles('ada'), namesOf(picture));
      await assertCopies(storage, 'ada', picture, files);
    });

    test('remove answers what it removed, and the user has no picture at once; the copies go at a sweep past the grace period', async () => {
      const { files, picture } = await fixture('ada v1');
      await storage.put('ada', picture, files);
      assert.deepEqual(await storage.remove('ada'), picture);
      assert.equal(await storage.current('ada'), null);
      assert.equal(await storage.remove('ada'), null);
      // A cached lookup may still name them.
      await storage.sweep({ graceMs: GRACE_MS });
      await assertCopies(storage, 'ada', picture, files);
      await storage.sweep(pastGrace());
      for (const { width } of picture.variants!) assert.equal(await storage.read('ada', picture.version, width), null);
      assert.deepEqual(await harness.variantFiles('ada'), []);
    });

    test('a user with no picture: current, read, readOriginal and remove answer null', async () => {
      assert.equal(await storage.current('nobody'), null);
      assert.equal(await storage.read('nobody', 'a'.repeat(32), 64), null);
      assert.equal(await storage.readOriginal('nobody', 'a'.repeat(32)), null);
      assert.equal(await storage.remove('nobody'), null);
    });

    test('users are independent, even with the same picture', async () => {
      // The same upload gives the same version: each user's copies must still be their own.
      const { files, picture } = await fixture('shared');
      const bob = await fixture('bob');
      await storage.put('ada', picture, files);
      await storage.put('cy', picture, files);
      await storage.put('bob', bob.picture, bob.files);
      await storage.remove('ada');
      assert.deepEqual(await storage.current('cy'), picture);
      await assertCopies(storage, 'cy', picture, files);
      assert.deepEqual(await storage.current('bob'), bob.picture);
      assert.deepEqual(await harness.variantFiles('bob'), namesOf(bob.picture));
    });

    test('a new instance over the same place sees the current picture and its copies', async () => {
      const { files, picture } = await fixture('ada v1');
      await storage.put('ada', picture, files);
      const other = harness.open();
      assert.deepEqual(await other.current('ada'), picture);
      await assertCopies(other, 'ada', picture, files);
    });

    test('ids, versions and widths that could escape a path are refused, and nothing is written', async () => {
      const { files, picture } = await fixture('evil');
      const [first, ...rest] = picture.variants!;
      await assert.rejects(storage.put('../ada', picture, files), TypeError);
      await assert.rejects(storage.put('ada', { ...picture, version: '../../x' }, files), TypeError);
      for (const width of [0, -64, 64.5, Number.NaN, 1e9, '64/../../x' as unknown as number]) {
        const bad = { ...picture, variants: [{ ...first!, width }, ...rest] };
        await assert.rejects(storage.put('ada', bad, files), TypeError, String(width));
      }
      await assert.rejects(storage.current('a/b'), TypeError);
      await assert.rejects(storage.remove(''), TypeError);
      await assert.rejects(storage.read('../ada', picture.version, 64), TypeError);
      await assert.rejects(storage.readOriginal('a/b', picture.version), TypeError);
      // A version and a width come from a URL: one that cannot exist is simply not stored.
      assert.equal(await storage.read('ada', '../current/ada.json', 64), null);
      for (const width of [0, -1, 64.5, Number.NaN, 1e9])
        assert.equal(await storage.read('ada', picture.version, width), null);
      assert.equal(await storage.readOriginal('ada', '../current/ada.json'), null);
      assert.equal(await storage.current('ada'), null);
      assert.deepEqual(await harness.variantFiles('ada'), []);
    });

    test('a picture is put only as its copies describe it', async () => {
      const { files, picture } = await fixture('ada');
      const [first, ...rest] = picture.variants!;
      const refused: [string, StoredPicture, readonly Uint8Array[]][] = [
        [
          "a size that is not the file's",
          { ...picture, variants: [{ ...first!, bytes: first!.bytes + 1 }, ...rest] },
          files,
        ],
        ['fewer files than copies', picture, files.slice(1)],
        ['more files than copies', picture, [...files, files[0]!]],
        ['no copies', { ...picture, variants: [] }, []],
        ['no `variants` at all', { version: picture.version, updatedAt: picture.updatedAt }, files],
        ['an empty copy', { ...picture, variants: [{ width: 64, bytes: 0 }] }, [new Uint8Array(0)]],
        [
          'a placeholder that is not a WebP data URL',
          { ...picture, placeholder: 'https://elsewhere.test/a.png' },
          files,
        ],
        ['a placeholder with a line break', { ...picture, placeholder: `${PLACEHOLDER}\r\nX-Evil: 1` }, files],
        ['a preview of CSS', { ...picture, preview: 'red;background:url(https://elsewhere.test/t)' }, files],
        ['a preview of two colours', { ...picture, preview: PREVIEW.slice(6) }, files],
        ['a preview in capitals', { ...picture, preview: PREVIEW.toUpperCase() }, files],
        ['no date', { ...picture, updatedAt: Number.NaN }, files],
      ];
      for (const [what, bad, given] of refused) await assert.rejects(storage.put('ada', bad, given), TypeError, what);
      assert.equal(await storage.current('ada'), null);
      assert.deepEqual(await harness.variantFiles('ada'), []);
    });

    test('a malformed pointer throws rather than pretending there is no picture', async () => {
      const { picture } = await fixture('ada');
      // The well-formed pointer written the same way reads back, so each refusal below is about its one change.
      await harness.writePointer('ada', JSON.stringify(picture));
      assert.deepEqual(await harness.open().current('ada'), picture);
      const malformed: [string, unknown][] = [
        ['not JSON', '{"version":'],
        ['null', null],
        ['a version that is a number', { ...picture, version: 42 }],
        ['a version that is a path', { ...picture, version: '../x' }],
        ['no date', { ...picture, updatedAt: 'yesterday' }],
        ['variants that are not a list', { ...picture, variants: { 64: 100 } }],
        ['an empty list of variants', { ...picture, variants: [] }],
        ['a copy that is not an object', { ...picture, variants: [null] }],
        ['a width that is a path', { ...picture, variants: [{ width: '../../x', bytes: 100 }] }],
        ['a width of zero', { ...picture, variants: [{ width: 0, bytes: 100 }] }],
        ['a fractional width', { ...picture, variants: [{ width: 63.5, bytes: 100 }] }],
        ['a width past any image', { ...picture, variants: [{ width: 1e6, bytes: 100 }] }],
        ['a copy of no bytes', { ...picture, variants: [{ width: 64, bytes: 0 }] }],
        ['a copy of no stated size', { ...picture, variants: [{ width: 64 }] }],
        ['a placeholder that is not a string', { ...picture, placeholder: 42 }],
        ['a placeholder that is a URL elsewhere', { ...picture, placeholder: 'https://elsewhere.test/a.png' }],
        ['a placeholder of another type', { ...picture, placeholder: 'data:image/svg+xml;base64,PHN2Zz4=' }],
        ['a placeholder with a line break', { ...picture, placeholder: `${PLACEHOLDER}\r\nX-Evil: 1` }],
        ['a preview that is a number', { ...picture, preview: 42 }],
        ['a preview of four colours', { ...picture, preview: `${PREVIEW}000000` }],
        ['a preview with a line break', { ...picture, preview: `${PREVIEW}\n` }],
        ['a preview of CSS', { ...picture, preview: `${PREVIEW.slice(0, 8)};color:red` }],
        ['a placeholder of megabytes', { ...picture, placeholder: `data:image/webp;base64,${'A'.repeat(2_000_000)}` }],
      ];
      for (const [what, value] of malformed) {
        await harness.writePointer('ada', typeof value === 'string' ? value : JSON.stringify(value));
        await assert.rejects(harness.open().current('ada'), /Corrupt picture pointer/, what);
      }
    });

    test('copies are named narrowest first, each width once, when put and when read back', async () => {
      // Two copies at one width are one file (the pointer would describe one of them wrongly), and the lookup picks
      // its default copy and builds `srcset` from the order.
      const { files, picture } = await fixture('ada');
      const [a, b, c] = picture.variants!;
      const twice = { ...picture, variants: [a!, { ...b!, width: a!.width }, c!] };
      const unordered = { ...picture, variants: [b!, a!, c!] };
      await assert.rejects(storage.put('ada', twice, files), TypeError, 'one width twice');
      await assert.rejects(storage.put('ada', unordered, [files[1]!, files[0]!, files[2]!]), TypeError, 'widest first');
      assert.equal(await storage.current('ada'), null);
      for (const [what, bad] of [
        ['one width twice', twice],
        ['widest first', unordered],
      ] as const) {
        await harness.writePointer('ada', JSON.stringify(bad));
        await assert.rejects(harness.open().current('ada'), /Corrupt picture pointer/, what);
      }
    });

    test('a picture kept from before copies were made: current gives its version without copies, readOriginal its upload', async () => {
      const legacy = await legacyFixture('ada');
      await writeLegacy('ada', legacy);
      const fresh = harness.open();
      assert.deepEqual(await fresh.current('ada'), legacy.picture);
      assert.deepEqual(await fresh.readOriginal('ada', legacy.pointer.version), legacy.original);
      // The upload itself is never served as a copy.
      assert.equal(await fresh.read('ada', legacy.pointer.version, 64), null);
      assert.equal(await fresh.readOriginal('ada', 'f'.repeat(32)), null);
    });

    test('copies put for a kept picture with onlyIf its version commit under that version, and its upload goes', async () => {
      const legacy = await legacyFixture('ada');
      await writeLegacy('ada', legacy);
      const made = await copiesFor(legacy.picture, 'ada made');
      await harness.open().put('ada', made.picture, made.files, { onlyIf: legacy.pointer.version });
      for (const instance of [storage, harness.open()]) {
        assert.deepEqual(await instance.current('ada'), made.picture);
        await assertCopies(instance, 'ada', made.picture, made.files);
        assert.equal(await instance.readOriginal('ada', legacy.pointer.version), null);
      }
      assert.equal(await harness.hasOriginal('ada', legacy.pointer.version), false);
      assert.deepEqual(await harness.variantFiles('ada'), namesOf(made.picture));
      // Once committed, removing the picture takes the copies, at a sweep past the grace period.
      await storage.remove('ada');
      await storage.sweep(pastGrace());
      assert.deepEqual(await harness.variantFiles('ada'), []);
    });

    test('copies made again for a kept picture, by another instance, change nothing once one set is committed', async () => {
      const legacy = await legacyFixture('ada');
      await writeLegacy('ada', legacy);
      // Two instances made copies of the same upload at once; encoders need not agree to the byte.
      const first = await copiesFor(legacy.picture, 'ada made here');
      const second = await copiesFor(legacy.picture, 'ada made elsewhere, by another build');
      await storage.put('ada', first.picture, first.files, { onlyIf: legacy.pointer.version });
      await harness.open().put('ada', second.picture, second.files, { onlyIf: legacy.pointer.version });
      assert.deepEqual(await storage.current('ada'), first.picture);
      // The URL of a copy is immutable: what it served stays what it serves, as long as the pointer says.
      await assertCopies(storage, 'ada', first.picture, first.files);
    });

    test('copies put with onlyIf a version that is no longer current commit nothing and leave no files', async () => {
      const legacy = await legacyFixture('ada');
      await writeLegacy('ada', legacy);
      const made = await copiesFor(legacy.picture, 'ada made');
      // A new upload lands while the copies of the kept picture are being made: it replaces the kept upload.
      const upload = await fixture('ada v2', { updatedAt: 1_700_000_001_000 });
      await storage.put('ada', upload.picture, upload.files);
      assert.equal(await harness.hasOriginal('ada', legacy.pointer.version), false);
      await harness.open().put('ada', made.picture, made.files, { onlyIf: legacy.pointer.version });
      assert.deepEqual(await storage.current('ada'), upload.picture);
      await assertCopies(storage, 'ada', upload.picture, upload.files);
      assert.deepEqual(await harness.variantFiles('ada'), namesOf(upload.picture));
      assert.equal(await storage.read('ada', legacy.pointer.version, 64), null);

      // The picture was removed meanwhile: the copies do not bring it back.
      await storage.remove('ada');
      await storage.put('ada', made.picture, made.files, { onlyIf: legacy.pointer.version });
      assert.equal(await storage.current('ada'), null);
      await storage.sweep(pastGrace());
      assert.deepEqual(await harness.variantFiles('ada'), []);
    });

    test('a new upload over a kept picture removes its upload; removing a kept picture does too', async () => {
      const ada = await legacyFixture('ada');
      const bob = await legacyFixture('bob');
      await writeLegacy('ada', ada);
      await writeLegacy('bob', bob);
      const upload = await fixture('ada v2');
      await storage.put('ada', upload.picture, upload.files);
      assert.deepEqual(await storage.current('ada'), upload.picture);
      assert.equal(await harness.hasOriginal('ada', ada.pointer.version), false);
      assert.deepEqual(await storage.remove('bob'), bob.picture);
      assert.equal(await storage.current('bob'), null);
      assert.equal(await harness.hasOriginal('bob', bob.pointer.version), false);
    });

    test('ping succeeds on a working storage', async () => {
      await storage.ping();
    });
  });
}
