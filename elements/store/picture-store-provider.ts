import { provide } from '@lit/context';
import { LitElement, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { pictureSourceContext } from './context.ts';
import { PictureStore } from './picture-store.ts';
import type { PictureSource } from './types.ts';

/**
 * Configures the picture store for the elements inside it: `<picture-store-provider api-base="https://…/api" debug
 * events>`. Without one, each element uses the page's default store for its own `api-base`.
 *
 * @slot - the page content whose pictures share this store
 */
@customElement('picture-store-provider')
export class PictureStoreProvider extends LitElement {
  /** Where the image service's API is. */
  @property({ attribute: 'api-base' }) apiBase = '/api';
  /** Log every layer's hits to the console. */
  @property({ type: Boolean }) debug = false;
  /** Listen to the service's `picture-changed` events, so an upload anywhere shows here within a second. */
  @property({ type: Boolean }) events = false;

  @provide({ context: pictureSourceContext }) store: PictureSource = new PictureStore();

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('apiBase') || changed.has('debug') || changed.has('events')) {
      (this.store as PictureStore).close();
      this.store = new PictureStore({ apiBase: this.apiBase, debug: this.debug, events: this.events });
    }
  }

  override render() {
    return html`<slot></slot>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'picture-store-provider': PictureStoreProvider;
  }
}
