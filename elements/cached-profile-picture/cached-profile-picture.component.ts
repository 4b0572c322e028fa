import { ContextConsumer } from '@lit/context';
import { html, isServer, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { USER_ID_PATTERN } from '../../contract/picture.ts';
import { pictureSourceContext } from '../store/context.ts';
import { isPreview } from '../store/trusted.ts';
import type { PictureSource } from '../store/types.ts';
import styles from './cached-profile-picture.styles.ts';
import { colorsOf, initialsOf, previewBackground, silhouette } from './fallback.ts';
import {
  ProfilePictureController,
  type PictureErrorDetail,
  type PictureLoadDetail,
} from './profile-picture-controller.ts';

/** The shapes the picture can take; each sets a default `--radius`. */
export const Shapes = ['circle', 'rounded', 'square'] as const;
export type Shape = (typeof Shapes)[number];

/** The user ids already warned about on this page: fifty tags missing theirs say so once. */
const warned = new Set<string>();

/**
 * A user's profile picture, from the page's picture store: a picture seen before in this session is in the first
 * render, with no request; a new one costs a share of one batched metadata request. With no picture, or when it
 * fails, the initials of `label` (or `initials`) on colours derived from the user id, else a silhouette in them:
 * never a broken image. The initials have at least 5.5:1 contrast for every id, so they pass WCAG AA at any size.
 * Light-DOM content (say, an `<img>` a CMS author wrote) shows until the element upgrades; the shadow root
 * has no slot, so it disappears then.
 *
 * The store comes from `pictureSourceContext` (a provider such as the store's provider element), or, with none on
 * the page, from `defaultSource(apiBase)`, one per page.
 *
 * Rendered on the server (Lit SSR, as Astro or Next.js use it), its declarative shadow DOM already shows the fallback
 * at its size and in the user's colour before any script runs. In the browser, with Lit's hydration support loaded
 * before Lit (`@lit-labs/ssr-client/lit-element-hydrate-support.js`), it hydrates that markup; without it (the
 * drop-in bundle) it replaces it with the same fallback in the task of its first render. Either way nothing moves or
 * flashes, and a picture the browser knows follows in the next render.
 *
 * A missing `user-id`, or one the image service refuses (1 to 64 of A-Z a-z 0-9 _ -), shows the fallback and is
 * warned about in the console, once per id on the page.
 *
 * `label` names the user to assistive technology: the image's `alt`, or the fallback's label (`role="img"`). Next to
 * the written name, set `decorative`: the picture and the initials still show, but the element names no one, so a
 * screen reader does not read the name twice. Without `label` (or with `label=""`) it names no one either, and, with
 * no `initials` given, the fallback is the silhouette.
 *
 * The image names every copy the service made of the picture in `srcset`, each by its pixel density at the size it
 * is shown at (`size` pixels, 48 without it), so the browser fetches the one that fits the size and the screen's
 * pixel ratio. Until it has loaded on a first sight, the fallback stays under it (drawing the picture's preview, its
 * colours top to bottom as a gradient, when the service made one) and goes once it has, so a list never shows an
 * empty circle and never jumps from initials to faces; a picture the browser has in memory (after a reload, or shown
 * before on the page) renders alone.
 *
 * With `loading="lazy"` (the default), a picture the store knows synchronously (`peek`: memory, LocalStorage, no
 * request) is still in the first render, so a known face never waits a frame for an IntersectionObserver; asking
 * the store further (IndexedDB, the network) waits until the element is within 200px of the viewport. The `<img>`
 * itself is plain (no `decoding`, `crossorigin` or `loading`): each of those made a reload slower.
 *
 * @example
 * <cached-profile-picture user-id="ada" label="Ada Lovelace" size="64" shape="rounded"></cached-profile-picture>
 *
 * @event picture-load - The picture is on screen. `detail: {userId, layer, ms}`: the layer that told its version,
 *   and the milliseconds from the start (connect, or nearing the viewport when lazy) to the loaded image.
 * @event picture-error - There is no picture to show, and the fallback shows instead. `detail: {userId, error}`.
 *   A user with no picture is not an error.
 *
 * @slot - None: children are shown only until the element upgrades.
 *
 * @csspart image - The `<img>` showing the picture.
 * @csspart fallback - The initials or silhouette shown instead (`role="img"`, labelled by `label`); while a picture
 *   seen for the first time loads, under it, drawing its preview when the service made one, and hidden from
 *   assistive technology (the image names the user). With forced colours (Windows' contrast themes), which paint
 *   its background as the page's, it keeps an edge in the text colour.
 *
 * @cssproperty --size - Width and height. Default `48px`; the `size` attribute sets it, in pixels.
 * @cssproperty --radius - Corner radius. Default by `shape`: `50%` circle, `20%` rounded, `0` square.
 * @cssproperty --fallback-color - Colour of the initials and silhouette. Default unset: the one that goes with the
 *   user's background, white on a deep tone or a dark shade of the hue on a light tint (5.5:1 or more). Set both
 *   together, with 4.5:1 contrast or more.
 * @cssproperty --fallback-background - Background of the fallback. Default unset: a colour derived from the user id
 *   (the same id always gets the same colour), for the initials and the silhouette alike.
 */
export class CachedProfilePicture extends LitElement {
  static override styles = styles;

  // Declared here rather than with Lit's decorators, which would add their code to the drop-in bundle.
  static override properties = {
    userId: { attribute: 'user-id' },
    label: {},
    initials: {},
    decorative: { type: Boolean },
    size: { type: Number },
    shape: { reflect: true },
    loading: {},
    apiBase: { attribute: 'api-base' },
  };

  /** The user whose picture to show. A new id starts over; answers for the old one are ignored. */
  userId = '';

  /** The user's name: the image's `alt`, the fallback's label, and its initials unless `initials` is set. */
  label = '';

  /**
   * What the fallback shows instead of the initials of `label` (the first letters of its first and last words): one
   * or two letters fit, say `"AL"` for "Ada King, Countess of Lovelace". `label` still names the user.
   */
  initials?: string;

  /**
   * The picture only illustrates a name written next to it: it shows as usual, initials included, but names no one
   * (the image's `alt=""`, the fallback hidden from assistive technology), so a screen reader does not read the name
   * twice. `label` still gives the initials.
   */
  decorative?: boolean;

  /** Width and height in pixels; unset, `--size` decides (default 48px). */
  size?: number;

  /** Unset, a circle. Reflected once set, so `:host([shape])` picks its radius. */
  // No default: each tag would reflect `shape="circle"`, which cost a page of 50 a few milliseconds.
  shape?: Shape;

  /** `lazy`: ask the store beyond its synchronous `peek` only once the element nears the viewport. */
  loading: 'lazy' | 'eager' = 'lazy';

  /** The image service's API, for the default store when no provider is on the page. */
  apiBase = '/api';

  // Before the picture's controller, so the provider has answered when that controller starts.
  readonly #consumer = new ContextConsumer(this, { context: pictureSourceContext, subscribe: true });

  /** The provider's store, when one answers. */
  get source(): PictureSource | undefined {
    return this.#consumer.value;
  }

  private readonly picture = new ProfilePictureController(this, () => this.userId, {
    source: () => this.source,
    apiBase: () => this.apiBase,
    lazy: () => this.loading !== 'eager',
    onLoad: (detail) => this.#emit<PictureLoadDetail>('picture-load', detail),
    onError: (detail) => this.#emit<PictureErrorDetail>('picture-error', detail),
  });

  /** Rendered on the server (a declarative shadow root was there): its fallback already shows. */
  #served = false;

  /**
   * The fallback shows, alone or under an image not loaded yet: what the last render drew, or what updated() asks of
   * the next. Unset before the first render.
   */
  #fallbackShown: boolean | undefined;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A reconnect asks for the context again; a provider that no longer answers must not stay in use.
    this.#consumer.value = undefined;
  }

  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    const served = this.shadowRoot;
    this.#served = !!served;
    // Without Lit's hydration support (the drop-in bundle has none) Lit would render beside the server's content,
    // showing everything twice. It starts from an empty root instead, in the task of its first render: no frame
    // shows the gap.
    if (!('litElementHydrateSupport' in globalThis)) served?.replaceChildren();
    return super.createRenderRoot();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const id = this.userId || '';
    if (changed.has('userId') && !USER_ID_PATTERN.test(id) && !warned.has(id)) {
      warned.add(id);
      console.warn(
        `[ImageCache] <cached-profile-picture user-id=${JSON.stringify(id)}>: a user id is 1 to 64 of A-Z a-z 0-9 _ -; fallback shown.`,
      );
    }
  }

  protected override render(): TemplateResult {
    const size = this.#size() ?? 48;
    // A server-rendered element's first render is the server's, which knew no picture, as Lit's hydration expects;
    // the picture comes with the next one.
    const url = this.#served && !this.hasUpdated ? undefined : this.picture.url;
    // srcset before src: set in template order, so the browser never starts fetching src alone.
    const image = url
      ? html`<img part="image" srcset=${this.picture.srcsetAt(size) ?? nothing} src=${url} alt=${this.#name()} @load=${this.#onImageLoad} @error=${this.#onImageError}>`
      : nothing;
    // The image first, so it is the shadow root's first img whatever stands in for it. A fallback already shown stays
    // under a new image until updated() finds that image complete. Where none is shown, it waits for updated() to find
    // the image not complete: one the browser has in memory (every picture after a reload) needs none, and rendering
    // one for it was most of what a reload cost beyond Lit's own.
    const alone = url && (url === this.picture.loadedUrl || !this.#fallbackShown);
    this.#fallbackShown = !alone;
    return html`${image}${alone ? nothing : this.#fallback(url)}`;
  }

  /**
   * The fallback: where there is no picture, and under its image while that loads (the image has nothing to show
   * yet), drawing the picture's preview when the service made one.
   */
  #fallback(url: string | undefined): TemplateResult {
    const initials = this.initials || initialsOf(this.label);
    const name = this.#name();
    // Under a loading image, whose alt already names the user, it is decoration; updated() draws its preview there, in
    // place of the initials. The server runs no updated(): there the size and colour are in the markup, so they show
    // before any script runs.
    return html`<div part="fallback" class="${url ? 'under' : ''} ${isServer || this.#served ? 'served' : ''}" style=${isServer ? styleOf(this.userId, this.#size()) : nothing} role="img" aria-label=${name || nothing} aria-hidden=${name && !url ? nothing : 'true'}>${initials || silhouette}</div>`;
  }

  /** A server-rendered element has rendered what the server did: now what the browser knows (a picture, maybe). */
  protected override firstUpdated(): void {
    if (this.#served) this.requestUpdate();
  }

  /**
   * `size` and the user's colours go on what is rendered through the CSSOM (`style.cssText`), not a `style`
   * attribute, so a page whose Content-Security-Policy forbids inline styles still shows them.
   */
  protected override updated(): void {
    const { url } = this.picture;
    const style = styleOf(this.userId, this.#size());
    // The picture's own, rendered first; none in a server-rendered element's first update, which showed the server's.
    const image = this.renderRoot.querySelector('img');
    // Checked here too: a source of the page's own may hand over any metadata, and the preview goes into a style.
    const preview = url && this.picture.resolution?.meta?.preview;
    for (const part of this.renderRoot.querySelectorAll<HTMLElement>('[part]')) {
      // The other part, the fallback under the image, draws the preview, with its initials transparent.
      const own =
        part !== image && isPreview(preview)
          ? `${style};color:#0000;background-image:${previewBackground(preview)}`
          : style;
      if (styled.get(part) !== own) styled.set(part, (part.style.cssText = own));
    }
    if (!url || url === this.picture.loadedUrl || !image) return;
    const shown = image.complete && image.naturalWidth > 0;
    if (shown) this.picture.imageShown(url);
    // An update only where the fallback must go (the image shows) or come (it is loading): a first sight on a cold
    // page renders its image once, over the fallback it had, instead of removing that fallback and making it again.
    if (shown === this.#fallbackShown) {
      this.#fallbackShown = !shown;
      this.requestUpdate();
    }
  }

  /** Who the picture names: no one when it is decorative. */
  #name(): string {
    return this.decorative ? '' : this.label;
  }

  #size(): number | undefined {
    return this.size && this.size > 0 ? this.size : undefined;
  }

  #onImageLoad(event: Event): void {
    const image = event.target as HTMLImageElement;
    this.picture.imageLoaded(image.getAttribute('src'), image.currentSrc);
  }

  #onImageError(event: Event): void {
    void this.picture.imageFailed((event.target as HTMLImageElement).getAttribute('src'));
  }

  #emit<T>(type: string, detail: T): void {
    this.dispatchEvent(new CustomEvent<T>(type, { detail, bubbles: true, composed: true }));
  }
}

/** The style each part was given last: an update that changes neither user nor size writes none again. */
const styled = new WeakMap<HTMLElement, string>();

/** The size and the user's colours as custom properties, for the parts' inline style. */
function styleOf(userId: string, size: number | undefined): string {
  const [background, ink] = colorsOf(userId);
  return `--user-color:${background};--user-ink:${ink}${size ? `;--size:${size}px` : ''}`;
}

export default CachedProfilePicture;
