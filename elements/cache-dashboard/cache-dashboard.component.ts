import { ContextConsumer } from '@lit/context';
import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { pageMonitor } from '../monitor/page-monitor.ts';
import { defaultSource, pictureSourceContext } from '../store/context.ts';
import type { PictureSource } from '../store/types.ts';
import type { DashboardBody } from './dashboard-body.ts';

/** The corners the toggle can sit in. */
export type Position = 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';

/**
 * The page's picture cache at a glance: a toggle in a corner that opens a panel with the totals (requests, hit
 * rate, load time, bytes and time saved, errors, stale serves), each layer's share and times, the hit rate over
 * time, the service worker's and the image service's cache figures, advice, and buttons to clear every cache,
 * reset the figures and download a JSON report. The figures are the page's monitor's (`window.cacheMonitor`).
 *
 * Everything but this class (the toggle, the panel, the styles) is a module of its own, fetched when the element
 * connects, so pages without the tag never load it. Open, the panel redraws at most once per animation frame after
 * the figures change; closed, it does nothing.
 *
 * The panel closes as a popover does, and so that it never covers what has the focus (WCAG 2.4.11): on Escape, from
 * the toggle or inside the panel (the focus goes back to the toggle), on a click or tap outside it, and when the
 * focus moves outside it (Tab past its last button, Shift+Tab before the toggle). Tab goes from the toggle into the
 * open panel. With forced colours (Windows' contrast themes), the bars, their tracks and the focus ring are drawn in
 * system colours.
 *
 * The store comes from `pictureSourceContext`, like the pictures' (a `<picture-store-provider>` around it), or,
 * with none, from `defaultSource(apiBase)`.
 *
 * @example
 * <cache-dashboard position="bottom-left"></cache-dashboard>
 *
 * @csspart toggle - The button that opens and closes the panel.
 * @csspart panel - The panel.
 *
 * @cssproperty --cache-dashboard-background - Panel and toggle background. Default white; `#161b22` in dark mode.
 * @cssproperty --cache-dashboard-color - Text colour.
 * @cssproperty --cache-dashboard-muted - Secondary text colour.
 * @cssproperty --cache-dashboard-border - Borders and separators.
 * @cssproperty --cache-dashboard-track - The empty part of bars.
 * @cssproperty --cache-dashboard-accent - Bars, the sparkline, focus rings.
 * @cssproperty --cache-dashboard-good - Advice that needs no change.
 * @cssproperty --cache-dashboard-warn - Advice that asks for a change.
 * @cssproperty --cache-dashboard-shadow - The toggle's and panel's shadow.
 * @cssproperty --cache-dashboard-font - The font family.
 * @cssproperty --cache-dashboard-offset - Distance from the corner. Default `16px`.
 * @cssproperty --cache-dashboard-z-index - Stacking order. Default `2147483000`.
 */
export class CacheDashboard extends LitElement {
  // Declared here rather than with Lit's decorators, which would add their code to the drop-in bundle.
  static override properties = {
    open: { type: Boolean, reflect: true },
    position: { reflect: true },
    apiBase: { attribute: 'api-base' },
  };

  /** Whether the panel is open. */
  open = false;

  /** The corner: `bottom-right` (default), `bottom-left`, `top-right` or `top-left`. */
  position: Position = 'bottom-right';

  /** The image service's API, for the default store when no provider is on the page. */
  apiBase = '/api';

  readonly #provided = new ContextConsumer(this, { context: pictureSourceContext, subscribe: true });
  #body?: DashboardBody;

  /** The provider's store, when one answers. */
  get source(): PictureSource | undefined {
    return this.#provided.value;
  }

  /** The store the dashboard shows and clears. */
  store(): PictureSource {
    return this.source ?? defaultSource(this.apiBase);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.#body) void this.#load();
  }

  async #load(): Promise<void> {
    try {
      const { DashboardBody } = await import('./dashboard-body.ts');
      this.#body ??= new DashboardBody(this, html, pageMonitor());
      this.requestUpdate();
    } catch (error) {
      console.warn(`[CacheMonitor] <cache-dashboard> is off: ${(error as Error).message}`);
    }
  }

  protected override render(): TemplateResult | typeof nothing {
    return this.#body?.render() ?? nothing;
  }
}
