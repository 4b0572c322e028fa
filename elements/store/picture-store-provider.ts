import { ContextProvider } from '@lit/context';
import { LitElement, html, isServer, type PropertyValues } from 'lit';
import { pageMonitor } from '../monitor/page-monitor.ts';
import { pictureSourceContext } from './context.ts';
import { PictureStore } from './picture-store.ts';
import type { PictureSource } from './types.ts';

/**
 * Configures the picture store for the elements inside it: `<picture-store-provider api-base="https://…/api" debug
 * events>`. Without one, each element uses the page's default store for its own `api-base`. With
 * `service-worker="/sw.js"` it registers the service worker (sw/), which keeps pictures offline: a worker at the root
 * of a site is the site's choice, so it is never registered without this attribute (or `swManager.register()`). The
 * worker caches pictures and queues uploads of the image service at `api-base` (its origin joins the worker's
 * `origins`). A `service-worker` that is not a path on the page's own origin is refused before any registration,
 * with a console error and `picture-worker-error` on `window` (see `swManager.register`), as is any other failure.
 *
 * @slot - the page content whose pictures share this store
 */
export class PictureStoreProvider extends LitElement {
  static override properties = {
    apiBase: { attribute: 'api-base' },
    debug: { type: Boolean },
    events: { type: Boolean },
    serviceWorker: { attribute: 'service-worker' },
  };

  /** Where the image service's API is. */
  declare apiBase: string;
  /** Log every layer's hits to the console. */
  declare debug: boolean;
  /** Listen to the service's `picture-changed` events, so an upload anywhere shows here within a second. */
  declare events: boolean;
  /**
   * The service worker's script to register (scope `/`): a path on the page's own origin, e.g. `/sw.js`; options go
   * in its query (sw/options.ts).
   */
  declare serviceWorker: string | undefined;

  readonly #provider = new ContextProvider(this, { context: pictureSourceContext });
  #store?: PictureStore;
  #config = '';

  constructor() {
    super();
    this.apiBase = '/api';
    this.debug = false;
    this.events = false;
  }

  /** The store the elements inside share. */
  get store(): PictureSource | undefined {
    return this.#store;
  }

  override connectedCallback(): void {
    // Made from the attributes before the children ask for it, and only once per configuration.
    this.#configure();
    super.connectedCallback();
  }

  override willUpdate(): void {
    this.#configure();
  }

  override updated(changed: PropertyValues<this>): void {
    // swManager is a module of its own, fetched only by the pages that opt in.
    if (changed.has('serviceWorker') && this.serviceWorker) {
      const url = this.serviceWorker;
      // register() refuses a script of another origin before registering anything, and fires `picture-worker-error`;
      // its errors name the script and the reason.
      import('../../sw/registration.ts')
        .then(({ swManager }) => swManager.register({ url, origins: [this.apiBase] }))
        .catch(console.error);
    }
  }

  #configure(): void {
    const config = `${this.apiBase}|${this.debug}|${this.events}`;
    // A server rendering the page has no page to keep pictures for (nor its events): the store is made in the browser.
    if (isServer || (this.#store && config === this.#config)) return;
    const monitor = pageMonitor();
    if (this.#store) {
      this.#store.close();
      monitor.stores.delete(this.#store);
    }
    this.#config = config;
    this.#store = new PictureStore({ apiBase: this.apiBase, debug: this.debug, events: this.events, monitor });
    monitor.stores.add(this.#store);
    this.#provider.setValue(this.#store);
  }

  override render() {
    return html`<slot></slot>`;
  }
}

// A second copy of the bundle on the page must not throw on the second define.
if (!customElements.get('picture-store-provider'))
  customElements.define('picture-store-provider', PictureStoreProvider);

declare global {
  interface HTMLElementTagNameMap {
    'picture-store-provider': PictureStoreProvider;
  }
}
