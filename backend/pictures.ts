import { DEFAULT_VARIANT_WIDTH, type PictureMeta } from '../contract/picture.ts';
import type { CachedPicture, EventBus, LookupCache } from './cache/cache.ts';
import { DEFAULT_MAX_IMAGE_JOBS, DEFAULT_MAX_STORAGE_READS } from './config.ts';
import { createKeyedQueue, createLimiter, createSingleFlight } from './concurrency.ts';
import { createCopyMemory, type CopyMemoryOptions } from './copy-memory.ts';
import { ApiError, storageUnavailable } from './errors.ts';
import type { ImageEncoder } from './images/encode.ts';
import { VARIANT_TYPE, type PictureBytes, type PictureStorage, type StoredPicture } from './storage/storage.ts';
import { versionOf } from './storage/version.ts';
import { sniffImageType } from './upload/sniff.ts';

/** Where the bytes of a copy {@link PictureService.read} answered came from. */
export type CopySource = 'memory' | 'shared' | 'storage';

/** How a lookup was answered, as the `X-Cache` header says it. */
export type CacheStatus = 'HIT' | 'MISS' | 'BYPASS';

export interface LookupResult {
  pictures: Map<string, PictureMeta | null>;
  cache: CacheStatus;
}

export interface PictureServiceOptions {
  cache: LookupCache;
  storage: PictureStorage;
  events: EventBus;
  /** Makes the copies every URL serves. */
  images: ImageEncoder;
  now?: () => number;
  /** How long a page may use a lookup's answer without asking again (`expiresAt`); the URLs never change. */
  answerTtlMs?: number;
  /** The longest a lookup stays cached (50 minutes, and at most half of `retainMs`). */
  lookupTtlMs?: number;
  /**
   * How long the storage keeps a version after it stops being named (the sweep's grace period, `CLEANUP_GRACE_MS`).
   * A lookup is cached for at most half of it, so no cached lookup outlives the bytes it names.
   */
  retainMs?: number;
  /** A cached answer is dropped this long before its `expiresAt`, so no page is handed one about to lapse. */
  urlMarginMs?: number;
  /** How long "this user has no picture" is cached; uploads overwrite it at once. */
  absentTtlMs?: number;
  /**
   * The most storage reads this process makes at once for lookups' misses, and as many again for copies not in
   * memory (default 64 each); the others wait their turn, so a burst of batch lookups or of requests for copies cannot
   * swamp the object store. Apart, so a flood of requests for copies never holds up the lookups every page waits for.
   */
  maxStorageReads?: number;
  /**
   * The most images this process decodes and encodes at once (default 2, one a core); the others wait their turn,
   * so a burst of uploads queues instead of taking all memory.
   */
  maxImageJobs?: number;
  /** The copies {@link read} keeps in memory (see `createCopyMemory`); unset, none. */
  copyMemory?: CopyMemoryOptions;
  /**
   * Told of each copy {@link read} found, where from (`shared`: a read another request had started), and the bytes the
   * memory then holds (for the metrics).
   */
  onCopy?: (from: CopySource, heldBytes: number) => void;
  log?: Pick<Console, 'warn' | 'error'>;
}

/**
 * Which picture is current for each user, and changing it: the cache in front, the storage as the source of
 * truth, `picture-changed` events after every change. A cache that fails is bypassed, never fatal.
 */
export function createPictureService(options: PictureServiceOptions) {
  const { cache, storage, events, images } = options;
  const now = options.now ?? Date.now;
  const answerTtlMs = options.answerTtlMs ?? 60 * 60_000;
  const lookupTtlMs = Math.min(options.lookupTtlMs ?? 50 * 60_000, (options.retainMs ?? Infinity) / 2);
  const urlMarginMs = options.urlMarginMs ?? 10 * 60_000;
  const absentTtlMs = options.absentTtlMs ?? 60_000;
  const log = options.log ?? console;
  const fromStorage = createSingleFlight<CachedPicture>();
  const storageRead = createLimiter(options.maxStorageReads ?? DEFAULT_MAX_STORAGE_READS);
  const copyRead = createLimiter(options.maxStorageReads ?? DEFAULT_MAX_STORAGE_READS);
  const imageJob = createLimiter(options.maxImageJobs ?? DEFAULT_MAX_IMAGE_JOBS);
  const copies = createCopyMemory(options.copyMemory ?? { maxBytes: 0, ttlMs: 0 });
  /** The storage reads of copies in flight, by copy: requests for the same one wait for that read. */
  const copyReads = new Map<string, Promise<PictureBytes | null>>();
  const perUser = createKeyedQueue();
  let cacheDown = false;
  /**
   * Users whose change this process committed but could not write to the cache: a Redis that kept its data
   * through an outage would answer their old picture. Their entries are dropped as soon as the cache answers again.
   */
  const stale = new Set<string>();

  /** The cache answered: an outage, if there was one, is over, and the entries it left stale go. */
  function cacheAnswered(): void {
    if (cacheDown) log.warn('[pictures] cache is back');
    cacheDown = false;
    if (stale.size) void dropStale();
  }

  /** The cache failed: logged once per outage. */
  function cacheFailed(error: unknown): void {
    if (!cacheDown) log.warn(`[pictures] cache unreachable, going to storage: ${(error as Error).message}`);
    cacheDown = true;
  }

  /** Runs a cache call; a failure is logged once per outage and answered with `fallback`. */
  async function tryCache<T>(call: () => Promise<T>, fallback: T): Promise<{ value: T; ok: boolean }> {
    try {
      const value = await call();
      cacheAnswered();
      return { value, ok: true };
    } catch (error) {
      cacheFailed(error);
      return { value: fallback, ok: false };
    }
  }

  async function dropStale(): Promise<void> {
    for (const userId of [...stale]) {
      await cache.delete(userId).then(
        () => stale.delete(userId),
        () => {},
      );
    }
  }

  function ttlFor(value: CachedPicture): number {
    return value ? Math.min(lookupTtlMs, value.expiresAt - urlMarginMs - now()) : absentTtlMs;
  }

  function toMeta(userId: string, stored: StoredPicture): PictureMeta {
    const variants = stored.variants!.map(({ width, bytes }) => ({
      width,
      url: `/images/${userId}/${stored.version}/${width}.webp`,
      bytes,
    }));
    const fallback = variants.filter((variant) => variant.width <= DEFAULT_VARIANT_WIDTH).at(-1) ?? variants[0]!;
    const meta: PictureMeta = {
      userId,
      version: stored.version,
      url: fallback.url,
      contentType: VARIANT_TYPE,
      bytes: fallback.bytes,
      expiresAt: now() + answerTtlMs,
      variants,
    };
    if (stored.preview) meta.preview = stored.preview;
    return meta;
  }

  /** Encodes an image into copies, at most `maxImageJobs` at once, and names the version by their bytes. */
  async function encode(data: Uint8Array): Promise<{ picture: StoredPicture; files: Uint8Array[] }> {
    const { variants, preview } = await imageJob(() => images.encode(data));
    const files = variants.map((variant) => variant.data);
    const picture = {
      version: await versionOf(files),
      updatedAt: now(),
      variants: variants.map(({ width, data }) => ({ width, bytes: data.byteLength })),
      preview,
    };
    return { picture, files };
  }

  /**
   * A picture stored before copies were made gets them now, from the upload it kept, under the same version: once
   * per user however many lookups ask (they share the read-through), and never over a newer upload. `null` when
   * the kept upload cannot be made into copies (logged): the user then shows as having no picture, and no lookup fails.
   */
  async function withVariants(userId: string, stored: StoredPicture): Promise<StoredPicture | null> {
    if (stored.variants) return stored;
    return perUser(userId, async () => {
      const original = await storageRead(() => storageCall(() => storage.readOriginal(userId, stored.version)));
      if (!original) {
        // Another instance made the copies (and removed the upload) between our two reads.
        const latest = await storageCall(() => storage.current(userId));
        return latest?.variants ? latest : null;
      }
      let made: Awaited<ReturnType<typeof encode>>;
      try {
        made = await encode(original);
      } catch (error) {
        if (!(error instanceof ApiError) || error.status >= 500) throw error;
        log.warn(
          `[pictures] the picture kept for ${userId} (version ${stored.version}) cannot be made into copies: ${error.message}`,
        );
        return null;
      }
      const picture: StoredPicture = { ...made.picture, version: stored.version, updatedAt: stored.updatedAt };
      await storageCall(() => storage.put(userId, picture, made.files, { onlyIf: stored.version }));
      const latest = await storageCall(() => storage.current(userId));
      return latest?.variants ? latest : null;
    });
  }

  /**
   * A picture stored while previews were 16-px images gets its preview's colours from that image, at each lookup the
   * cache does not answer (a decode of a few dozen bytes), until it is uploaded again. One that does not decode has
   * no preview: the page shows the initials while it loads.
   */
  async function withPreview(userId: string, stored: StoredPicture | null): Promise<StoredPicture | null> {
    if (!stored?.placeholder || stored.preview) return stored;
    try {
      return { ...stored, preview: await images.previewOf(stored.placeholder) };
    } catch (error) {
      log.warn(
        `[pictures] the preview kept for ${userId} (version ${stored.version}) does not decode: ${(error as Error).message}`,
      );
      return stored;
    }
  }

  async function storageCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw error instanceof ApiError ? error : storageUnavailable(error);
    }
  }

  function readThrough(userId: string, fillCache: boolean): Promise<CachedPicture> {
    return fromStorage(userId, async () => {
      // Inside the single flight: concurrent misses for one user still share one read, and take one place.
      const pointer = await storageRead(() => storageCall(() => storage.current(userId)));
      const stored = pointer && (await withPreview(userId, await withVariants(userId, pointer)));
      const value = stored ? toMeta(userId, stored) : null;
      const ttl = ttlFor(value);
      if (fillCache && ttl > 0) await tryCache(() => cache.set(userId, value, ttl, { onlyIfAbsent: true }), undefined);
      return value;
    });
  }

  /**
   * Before a change commits: the cached lookup goes, so the old picture is not answered for long after the commit.
   * (A lookup that read the old pointer meanwhile may still cache it, and a process killed before `write` leaves
   * that entry: its bytes stay until the storage's sweep, which waits longer than any entry lives.)
   */
  async function forgetBeforeCommit(userId: string): Promise<void> {
    const dropped = await tryCache(() => cache.delete(userId), undefined);
    if (!dropped.ok) stale.add(userId);
  }

  /** After a committed change: the cache and every instance's listeners learn it. */
  async function write(userId: string, value: CachedPicture): Promise<void> {
    const ttl = ttlFor(value);
    const written = await tryCache(() => (ttl > 0 ? cache.set(userId, value, ttl) : cache.delete(userId)), undefined);
    if (!written.ok) stale.add(userId);
    await events.publish({ userId, version: value?.version ?? null }).catch((error: Error) => {
      log.warn(`[pictures] could not publish picture-changed for ${userId}: ${error.message}`);
    });
  }

  return {
    /**
     * Looks up users in one cache round trip; misses go to storage, one call per user however many ask, at most
     * `maxStorageReads` at once.
     */
    async lookup(userIds: readonly string[]): Promise<LookupResult> {
      // Taken before the cache answers: a cache that is back starts dropping these entries meanwhile.
      const distrusted = stale.size ? new Set(stale) : undefined;
      // The cache is called here rather than through tryCache, and hits wait for nothing more: this is the hot path.
      let cached: readonly (CachedPicture | undefined)[] = [];
      let ok = true;
      try {
        cached = await cache.getMany(userIds);
        cacheAnswered();
      } catch (error) {
        cacheFailed(error);
        ok = false;
      }
      const pictures = new Map<string, PictureMeta | null>();
      let reads: Promise<unknown>[] | undefined;
      for (let i = 0; i < userIds.length; i++) {
        const userId = userIds[i]!;
        const hit = cached[i];
        if (hit !== undefined && !distrusted?.has(userId)) {
          pictures.set(userId, hit);
          continue;
        }
        // Its place in the order asked is taken now; the storage's answer replaces the null.
        pictures.set(userId, null);
        (reads ??= []).push(readThrough(userId, ok).then((value) => pictures.set(userId, value)));
      }
      const misses = reads?.length ?? 0;
      if (reads) await Promise.all(reads);
      if (ok) cache.count(userIds.length - misses, misses);
      return { pictures, cache: !ok ? 'BYPASS' : misses ? 'MISS' : 'HIT' };
    },

    /**
     * Makes `raw` the user's picture: the type is sniffed from the bytes, then it is decoded once and encoded as
     * the copies every URL serves (nothing of the upload itself is kept or served); the version is the SHA-256 of
     * those copies.
     */
    async upload(userId: string, raw: Uint8Array): Promise<PictureMeta> {
      if (!sniffImageType(raw)) {
        throw new ApiError(
          415,
          'unsupported_media_type',
          'Not a supported image: upload JPEG, PNG, WebP, GIF or AVIF.',
        );
      }
      const { picture, files } = await encode(raw);
      return perUser(userId, async () => {
        await forgetBeforeCommit(userId);
        await storageCall(() => storage.put(userId, picture, files));
        const meta = toMeta(userId, picture);
        await write(userId, meta);
        return meta;
      });
    },

    /**
     * The bytes of one copy of a version, or `null` when it is not stored; one served lately, from memory. Requests
     * for the same copy share one storage read (a face every page shows, on an instance that has just started);
     * at most `maxStorageReads` copies are read at once, beside the lookups' reads.
     */
    async read(userId: string, version: string, width: number): Promise<PictureBytes | null> {
      const key = `${userId}/${version}/${width}`;
      const kept = copies.get(key);
      if (kept) {
        options.onCopy?.('memory', copies.held);
        return kept;
      }
      const running = copyReads.get(key);
      if (running) {
        const shared = await running;
        // A streamed copy (too large to read whole) can be read once, by the request that started it: read again.
        if (!(shared?.body instanceof ReadableStream)) {
          if (shared) options.onCopy?.('shared', copies.held);
          return shared;
        }
      }
      const read = copyRead(() => storageCall(() => storage.read(userId, version, width)));
      if (!copyReads.has(key)) {
        copyReads.set(key, read);
        const done = () => copyReads.delete(key);
        read.then(done, done);
      }
      const copy = await read;
      if (copy) {
        copies.keep(key, copy);
        options.onCopy?.('storage', copies.held);
      }
      return copy;
    },

    /**
     * Removes the user's picture: lookups answer "no picture" at once, while its bytes stay for whatever still names
     * them (a cached lookup elsewhere, a page) until the storage's sweep. Answers whether there was one.
     */
    async remove(userId: string): Promise<boolean> {
      return perUser(userId, async () => {
        await forgetBeforeCommit(userId);
        const removed = await storageCall(() => storage.remove(userId));
        if (removed) await write(userId, null);
        return removed !== null;
      });
    },
  };
}

export type PictureService = ReturnType<typeof createPictureService>;
