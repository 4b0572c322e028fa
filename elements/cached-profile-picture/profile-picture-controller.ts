import { ContextConsumer } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PictureMeta } from '../../contract/picture.ts';
import { defaultSource, pictureSourceContext } from '../store/context.ts';
import type { MetaLayer, PictureSource, Resolution } from '../store/types.ts';
import { whenNearViewport } from './near-viewport.ts';

/** What a loaded picture reports: which layer told its version, and the time from the start to the loaded image. */
export interface PictureLoadDetail {
  userId: string;
  layer: MetaLayer;
  ms: number;
}

/** What a failed picture reports: the source's error, or the image's. */
export interface PictureErrorDetail {
  userId: string;
  error: unknown;
}

export interface ProfilePictureOptions {
  /**
   * The source to ask. Default: the one provided through `pictureSourceContext`, which the controller then consumes
   * itself; pass this when the host already consumes it. Either way, `defaultSource(apiBase)` when there is none.
   */
  source?: () => PictureSource | undefined;
  /** The image service's API, for the default source (default `/api`). */
  apiBase?: () => string;
  /**
   * Wait until the host nears the viewport before asking the source beyond `peek` (default false). `peek` is
   * synchronous and reads no network, so a picture the page already knows still shows at once.
   */
  lazy?: () => boolean;
  /** The image is on screen: call it from the `<img>`'s `load` through {@link ProfilePictureController.imageLoaded}. */
  onLoad?: (detail: PictureLoadDetail) => void;
  /** There is nothing to show: the source failed, or the image did and no stored Blob could replace it. */
  onError?: (detail: PictureErrorDetail) => void;
}

/**
 * An image still loading from its URL after this long is on a slow network: the Blob the store kept, if any, shows
 * instead. The HTTP cache answers in tens of milliseconds (50 pictures decode in ~24 ms after a reload) and a cold
 * loopback fetch of 50 in about half a second, so a second is slow by any local measure, and the IndexedDB read
 * that replaces it takes a few milliseconds.
 */
export const SLOW_IMAGE_MS = 1_000;

/** Where `url` points: the picture's own URL, or an object URL for the Blob the store kept. */
export type Shown = 'url' | 'blob';

/**
 * What the image is doing: `none`, nothing shown; `url`, the picture's URL is loading, and is slow if it still is
 * after {@link SLOW_IMAGE_MS}; `loaded`, it has loaded; `tried`, the URL shows and the stored Blob was looked for
 * and not found, so a failure now is final; `blob`, the stored Blob shows.
 */
type ImageState = 'none' | 'url' | 'loaded' | 'tried' | 'blob';

/**
 * Resolves a user's profile picture for any Lit element, the way `<cached-profile-picture>` does: `peek` on connect
 * (a known picture is there for the first render, with no `await`), else `get`; `watch` while connected, so an
 * invalidation re-renders; the stored Blob when the URL cannot be used or fails to load. The host renders `url`
 * and `srcsetAt(size)` in an `<img>` and forwards that image's `load` and `error` to {@link imageLoaded} and
 * {@link imageFailed}.
 *
 * @example
 * class FriendRow extends LitElement {
 *   @property() friendId = '';
 *   private picture = new ProfilePictureController(this, () => this.friendId);
 *   render() {
 *     const { url } = this.picture;
 *     const loaded = (e: Event) => {
 *       const img = e.target as HTMLImageElement;
 *       this.picture.imageLoaded(img.getAttribute('src'), img.currentSrc);
 *     };
 *     return url
 *       ? html`<img srcset=${this.picture.srcsetAt(32) ?? nothing} src=${url} width="32" height="32" @load=${loaded}
 *           @error=${(e: Event) => this.picture.imageFailed((e.target as HTMLImageElement).getAttribute('src'))}>`
 *       : html`<span>${this.picture.loading ? '…' : '?'}</span>`;
 *   }
 * }
 */
export class ProfilePictureController implements ReactiveController {
  /** What the `<img>` should show now; `undefined`: show a fallback (loading, no picture, or failed). */
  url: string | undefined;
  /** Where {@link url} points. */
  get shown(): Shown | undefined {
    return this.#state === 'none' ? undefined : this.#state === 'blob' ? 'blob' : 'url';
  }
  /** The source is being asked (or, when lazy, the host waits to near the viewport). */
  loading = false;
  /** Why there is nothing to show, when something failed. */
  error: unknown;
  /** The source's latest answer for the current user. */
  resolution: Resolution | undefined;
  /**
   * The last URL whose image loaded: while it is {@link url}, the picture is on screen (and what stood in for it
   * while it loaded can go); shown again, it is not slow.
   */
  loadedUrl: string | undefined;

  readonly #host: ReactiveControllerHost & HTMLElement;
  readonly #userIdOf: () => string | null | undefined;
  readonly #options: ProfilePictureOptions;
  readonly #consumer?: ContextConsumer<typeof pictureSourceContext, ReactiveControllerHost & HTMLElement>;
  #connected = false;
  /** Bumped on every start and stop: an answer carrying an older number is for a user or source no longer shown. */
  #run = 0;
  #userId: string | undefined;
  #source: PictureSource | undefined;
  #startedAt = 0;
  #unwatch: (() => void) | undefined;
  #cancelWait: (() => void) | undefined;
  #blob: { meta: PictureMeta; url: string; source: PictureSource } | undefined;
  #state: ImageState = 'none';
  /** Runs only in the `url` state: see {@link #enter}. */
  #slowTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    host: ReactiveControllerHost & HTMLElement,
    userId: () => string | null | undefined,
    options: ProfilePictureOptions = {},
  ) {
    this.#host = host;
    this.#userIdOf = userId;
    this.#options = options;
    // Added before this controller, so its request is answered before hostConnected below reads the value.
    if (!options.source) this.#consumer = new ContextConsumer(host, { context: pictureSourceContext, subscribe: true });
    host.addController(this);
  }

  hostConnected(): void {
    this.#connected = true;
    this.#start();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#stop();
    // Moved under no provider, the element must not keep using the old one's store.
    if (this.#consumer) this.#consumer.value = undefined;
  }

  /** Runs before each render: a new user id or source starts over within this same update. */
  hostUpdate(): void {
    if (!this.#connected) return;
    if ((this.#userIdOf() || undefined) !== this.#userId || this.#currentSource() !== this.#source) {
      this.#start();
    } else if (this.#cancelWait && !this.#lazy()) {
      this.#cancelWait();
      this.#cancelWait = undefined;
      void this.#fetch(this.#run);
    }
  }

  /** Asks the source again now (`get`, not `peek`), lazy or not: say, after an error. */
  async refetch(): Promise<void> {
    if (!this.#connected || !this.#userId) return;
    this.#cancelWait?.();
    this.#cancelWait = undefined;
    this.loading = true;
    this.error = undefined;
    this.#startedAt = performance.now();
    this.#host.requestUpdate();
    await this.#fetch(this.#run);
  }

  /**
   * The picture's copies as the `srcset` of an `<img>` `size` CSS pixels wide, while {@link url} is the picture's own
   * URL (not a stored Blob); `undefined` for metadata kept from before the service made copies, which shows through
   * {@link url} alone. Each copy is named by its pixel density at that size (`2.667x`), so the browser fetches the one
   * copy that fits the size and the screen, as it would from widths and `sizes`, with no `sizes` to parse (which cost
   * a reload of 50 pictures about 10 ms). The narrowest copy at least `size` wide (else the widest) is named `1x` in
   * place of its density, not listed twice: a srcset of densities with no `1x` would make the image's `src` that
   * candidate, and each candidate costs the browser a parse and a selection on every tag. The wider copies stay
   * named, though no screen needs them at this size: the browser shows one it already holds (a larger size of the
   * same picture elsewhere on the page) rather than fetch a smaller one.
   */
  srcsetAt(size: number): string | undefined {
    const variants = this.shown === 'url' ? this.resolution?.meta?.variants : undefined;
    if (!variants?.length) return undefined;
    const byWidth = [...variants].sort((a, b) => a.width - b.width);
    const fit = byWidth.find((variant) => variant.width >= size) ?? byWidth.at(-1)!;
    return variants
      .map((variant) => `${variant.url} ${variant === fit ? 1 : +(variant.width / size).toFixed(3)}x`)
      .join();
  }

  /**
   * The `<img>` showing {@link url} has loaded: pass its `src` attribute, so a late event for an older picture is
   * ignored, and its `currentSrc`, the copy the browser picked from {@link srcsetAt}, which the source keeps. Sets
   * {@link loadedUrl}, tells the source, and calls `onLoad`.
   */
  imageLoaded(src: string | null, currentSrc?: string): void {
    const resolution = this.resolution;
    if (!resolution?.meta || src === null || src !== this.url) return;
    if (this.loadedUrl !== src) {
      this.imageShown(src);
      this.#host.requestUpdate();
    }
    const ms = performance.now() - this.#startedAt;
    if (this.shown === 'blob') {
      this.#source?.report({
        userId: resolution.userId,
        layer: resolution.layer,
        source: 'indexedDB',
        ms,
        bytesSaved: resolution.meta.bytes,
      });
    } else {
      this.#source?.loaded(resolution, ms, currentSrc || src);
    }
    this.#options.onLoad?.({ userId: resolution.userId, layer: resolution.layer, ms });
  }

  /**
   * The `<img>` showing {@link url} is complete as soon as it is rendered (the browser had the picture in memory):
   * it is on screen, so nothing need stand in for it, and it is not slow. Sets {@link loadedUrl}; the image's `load`
   * event still goes to {@link imageLoaded}, which reports it.
   */
  imageShown(src: string): void {
    if (src !== this.url) return;
    this.loadedUrl = src;
    if (this.#state === 'url') this.#enter('loaded');
  }

  /** The `<img>` showing {@link url} failed: show the stored Blob if there is one, else fail (`onError`). */
  async imageFailed(src: string | null): Promise<void> {
    const resolution = this.resolution;
    if (!resolution?.meta || src === null || src !== this.url) return;
    if (this.#state === 'url' || this.#state === 'loaded') {
      const outcome = await this.#showBlob(resolution.meta, this.#run);
      if (outcome !== 'none') return;
    }
    const error = new Error(`The picture of user ${resolution.userId} did not load.`);
    this.#source?.report({
      userId: resolution.userId,
      layer: resolution.layer,
      ms: performance.now() - this.#startedAt,
      error: error.message,
    });
    this.#fail(error);
  }

  #start(): void {
    const userId = this.#userIdOf() || undefined;
    const source = this.#currentSource();
    // The same user from another source, or after a reconnect: keep the picture up until the new answer.
    const sameUser = userId === this.#userId;
    this.#stop();
    const run = this.#run;
    this.#userId = userId;
    this.#source = source;
    this.#startedAt = performance.now();
    this.error = undefined;
    if (!sameUser) {
      this.url = this.resolution = undefined;
      this.#enter('none');
    }
    if (!userId) {
      this.loading = false;
      this.#host.requestUpdate();
      return;
    }
    this.#unwatch = source.watch(userId, (resolution) => {
      this.#startedAt = performance.now();
      this.#apply(resolution, run);
    });
    const known = peek(source, userId);
    if (known) {
      this.#apply(known, run);
      return;
    }
    this.loading = true;
    if (this.#lazy()) {
      this.#cancelWait = whenNearViewport(this.#host, () => {
        this.#cancelWait = undefined;
        this.#startedAt = performance.now();
        void this.#fetch(run);
      });
    } else {
      void this.#fetch(run);
    }
    this.#host.requestUpdate();
  }

  #stop(): void {
    this.#run++;
    // The picture may stay up until the next answer; only the wait for it to load ends.
    clearTimeout(this.#slowTimer);
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#cancelWait?.();
    this.#cancelWait = undefined;
    this.#releaseBlob();
  }

  async #fetch(run: number): Promise<void> {
    const source = this.#source;
    const userId = this.#userId;
    if (!source || !userId) return;
    try {
      this.#apply(await source.get(userId), run);
    } catch (error) {
      if (run === this.#run) this.#fail(error);
    }
  }

  #apply(resolution: Resolution, run: number): void {
    if (run !== this.#run || resolution.userId !== this.#userId) return;
    this.resolution = resolution;
    this.loading = false;
    this.error = undefined;
    const { meta } = resolution;
    if (!meta) {
      this.#releaseBlob();
      this.url = undefined;
      this.#enter('none');
    } else if (resolution.urlUsable) {
      this.#releaseBlob();
      this.#showUrl(meta, 'url');
    } else if (this.#blob?.meta.version !== meta.version) {
      // The URL is expired or about to be: the stored Blob, while the store fetches a fresh URL.
      this.#releaseBlob();
      this.loading = true;
      void this.#showBlob(meta, run).then((outcome) => {
        // No Blob and the URL already dead: keep waiting for the fresh URL the store is fetching (it comes through
        // the watch); a dead URL would only flash the fallback and fire a needless picture-error.
        if (outcome !== 'none' || meta.expiresAt <= Date.now()) return;
        // No Blob, and the URL is within its margin but still works.
        this.#showUrl(meta, 'tried');
        this.#host.requestUpdate();
      });
    }
    this.#host.requestUpdate();
  }

  /**
   * Shows the picture's URL, in state `url` (or `tried`, when the Blob was already looked for), unless it has
   * loaded before. A watch answer naming the same URL while it loads starts the second again: rare, and a second
   * late at worst.
   */
  #showUrl(meta: PictureMeta, state: 'url' | 'tried'): void {
    this.url = meta.url;
    this.#enter(this.loadedUrl === meta.url ? 'loaded' : state, meta);
  }

  /**
   * The only way the image's state changes: every change ends the slow timer, and entering `url` starts it once the
   * host has rendered, if the image is still loading then (one the browser had in memory is shown by that update:
   * {@link imageShown}; 50 timers set and cleared were the largest part of a reload's own work). So the timer needs no
   * other guard: if it fires, the same URL of the same answer is still loading.
   */
  #enter(state: ImageState, meta?: PictureMeta): void {
    clearTimeout(this.#slowTimer);
    this.#state = state;
    if (state === 'url') {
      const run = this.#run;
      void this.#host.updateComplete.then(() => {
        if (this.#state !== 'url' || run !== this.#run) return;
        clearTimeout(this.#slowTimer);
        this.#slowTimer = setTimeout(() => void this.#showBlob(meta!, run), SLOW_IMAGE_MS);
      });
    }
  }

  async #showBlob(meta: PictureMeta, run: number): Promise<'blob' | 'none' | 'stale'> {
    // Looked for once per answer: from here a failure of the URL is final.
    if (this.#state !== 'none') this.#enter('tried');
    const source = this.#source!;
    let url: string | undefined;
    try {
      url = await source.acquireBlobUrl(meta);
    } catch {
      // A failed read is a miss: the caller falls back.
    }
    if (run !== this.#run || this.resolution?.meta !== meta) {
      if (url) source.releaseBlobUrl(meta);
      return 'stale';
    }
    this.loading = false;
    if (!url) return 'none';
    this.#blob = { meta, url, source };
    this.url = url;
    this.#enter('blob');
    this.#host.requestUpdate();
    return 'blob';
  }

  #releaseBlob(): void {
    const blob = this.#blob;
    if (!blob) return;
    this.#blob = undefined;
    blob.source.releaseBlobUrl(blob.meta);
    if (this.url === blob.url) {
      this.url = undefined;
      this.#enter('none');
    }
  }

  #fail(error: unknown): void {
    this.#releaseBlob();
    this.url = undefined;
    this.#enter('none');
    this.error = error;
    this.loading = false;
    this.#host.requestUpdate();
    this.#options.onError?.({ userId: this.#userId ?? '', error });
  }

  #currentSource(): PictureSource {
    const given = this.#options.source ? this.#options.source() : this.#consumer?.value;
    return given ?? defaultSource(this.#options.apiBase?.() ?? '/api');
  }

  #lazy(): boolean {
    return this.#options.lazy?.() ?? false;
  }
}

/** A store that throws on a synchronous read must not break rendering: that read is a miss. */
function peek(source: PictureSource, userId: string): Resolution | undefined {
  try {
    return source.peek(userId);
  } catch {
    return undefined;
  }
}
