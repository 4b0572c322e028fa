// Browser-test helpers for <cached-profile-picture>: a PictureSource each test controls, and a provider of it. The
// store is tested on its own (elements/store/); with these, a test decides what the source answers and when, and
// reads what the element asked of it.
import { ContextProvider } from '@lit/context';
import { html, LitElement } from 'lit';
import type { PictureMeta } from '../../../contract/picture.ts';
import { pictureSourceContext } from '../../store/context.ts';
import type { PictureSource, Resolution, ResolutionReport } from '../../store/types.ts';
import type { CachedProfilePicture } from '../cached-profile-picture.ts';

/** A source the test controls: answers set per user, `get` held until released, every call recorded. */
export class TestSource implements PictureSource {
  /** What `peek` answers (synchronously). */
  readonly known = new Map<string, Resolution>();
  /** What `get` answers; falls back to `known`, then to "no picture". */
  readonly answers = new Map<string, Resolution | Error>();
  /** Stored Blobs by version, for `acquireBlobUrl`. */
  readonly blobs = new Map<string, Blob>();
  readonly peeked: string[] = [];
  readonly asked: string[] = [];
  readonly acquired: string[] = [];
  readonly released: string[] = [];
  readonly loadedCalls: Array<{ resolution: Resolution; ms: number; url: string | undefined }> = [];
  readonly reports: ResolutionReport[] = [];
  readonly #watchers = new Map<string, Set<(resolution: Resolution) => void>>();
  readonly #held = new Map<string, Promise<void>>();
  readonly #objectUrls = new Map<string, { url: string; users: number }>();

  peek(userId: string): Resolution | undefined {
    this.peeked.push(userId);
    return this.known.get(userId);
  }

  async get(userId: string): Promise<Resolution> {
    this.asked.push(userId);
    await this.#held.get(userId);
    const answer = this.answers.get(userId) ?? this.known.get(userId) ?? resolution(userId, null);
    if (answer instanceof Error) throw answer;
    return answer;
  }

  /** `get(userId)` waits until the returned function is called. */
  hold(userId: string): () => void {
    let release!: () => void;
    this.#held.set(userId, new Promise((resolve) => (release = resolve)));
    return release;
  }

  watch(userId: string, listener: (resolution: Resolution) => void): () => void {
    let set = this.#watchers.get(userId);
    if (!set) this.#watchers.set(userId, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  watching(userId: string): number {
    return this.#watchers.get(userId)?.size ?? 0;
  }

  /** What the store does after an invalidation: tell every watcher of the user. */
  emit(answer: Resolution): void {
    for (const listener of this.#watchers.get(answer.userId) ?? []) listener(answer);
  }

  async acquireBlobUrl(meta: PictureMeta): Promise<string | undefined> {
    this.acquired.push(meta.version);
    const blob = this.blobs.get(meta.version);
    if (!blob) return undefined;
    const shown = this.#objectUrls.get(meta.version) ?? { url: URL.createObjectURL(blob), users: 0 };
    shown.users++;
    this.#objectUrls.set(meta.version, shown);
    return shown.url;
  }

  releaseBlobUrl(meta: PictureMeta): void {
    this.released.push(meta.version);
    const shown = this.#objectUrls.get(meta.version);
    if (!shown || --shown.users > 0) return;
    URL.revokeObjectURL(shown.url);
    this.#objectUrls.delete(meta.version);
  }

  /** Object URLs alive now. */
  get objectUrls(): number {
    return this.#objectUrls.size;
  }

  loaded(answer: Resolution, ms: number, url?: string): void {
    this.loadedCalls.push({ resolution: answer, ms, url });
  }

  report(report: ResolutionReport): void {
    this.reports.push(report);
  }
}

/** A source's answer for `userId`: `meta` (`null`: no picture), from memory and usable unless `more` says otherwise. */
export function resolution(userId: string, meta: PictureMeta | null, more: Partial<Resolution> = {}): Resolution {
  return { userId, meta: meta && { ...meta, userId }, layer: 'memory', urlUsable: true, ms: 0, ...more };
}

/** A provider of the source for everything inside it, as a page's provider element would be. */
export class TestProvider extends LitElement {
  readonly provider = new ContextProvider(this, { context: pictureSourceContext });
  protected override render() {
    return html`<slot></slot>`;
  }
}
if (!customElements.get('cpp-test-provider')) customElements.define('cpp-test-provider', TestProvider);

/** What a test put in the document, to remove after it. */
export const mounted: Element[] = [];

/** A provider of `source` in the document, holding a new `<cached-profile-picture>` with `attributes`. */
export function mount(
  source: PictureSource | undefined,
  attributes: Record<string, string>,
  tag = 'cached-profile-picture',
): CachedProfilePicture {
  const element = document.createElement(tag) as CachedProfilePicture;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  let parent: HTMLElement = document.body;
  if (source) {
    const provider = document.createElement('cpp-test-provider') as TestProvider;
    provider.provider.setValue(source);
    document.body.append(provider);
    mounted.push(provider);
    parent = provider;
  } else {
    mounted.push(element);
  }
  parent.append(element);
  return element;
}
