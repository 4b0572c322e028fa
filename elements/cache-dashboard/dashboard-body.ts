/**
 * The body of `<cache-dashboard>`: the toggle, the panel and the styles, in a module of its own that only a page
 * with the tag fetches. It takes Lit's `html` from the element, so it carries no copy of Lit, and adopts its styles
 * (a plain string) itself.
 */
import type { html as litHtml, ReactiveController, ReactiveControllerHost, TemplateResult } from 'lit';
import type { CacheMetrics, LayerFigures } from '../monitor/figures.ts';
import type { CachePerformanceMonitor } from '../monitor/monitor.ts';
import {
  advise,
  bytes,
  clock,
  duration,
  LAYER_LABELS,
  millis,
  percent,
  SOURCE_LABELS,
  surroundings,
  type Surroundings,
} from '../monitor/report.ts';
import type { WatchedStore } from '../monitor/surroundings.ts';
import type { PictureSource } from '../store/types.ts';
import styles from './cache-dashboard.styles.ts';
import { LightDismiss } from './light-dismiss.ts';

/** The page's Lit `html` tag, handed over by the element. */
export type HtmlTag = typeof litHtml;

/** What the body needs from `<cache-dashboard>`. */
export interface DashboardHost extends ReactiveControllerHost, HTMLElement {
  open: boolean;
  readonly renderRoot: HTMLElement | DocumentFragment;
  /** The store the dashboard shows and clears. */
  store(): PictureSource;
}

/** A store that can be cleared and asked for its state: `PictureStore`. */
type FullStore = PictureSource & WatchedStore & { clear(): Promise<void> };

/**
 * Renders the toggle, and the panel while the host is open, redrawing at most once per animation frame after the
 * monitor's figures change; while closed it is not subscribed and does nothing. The service worker's and image
 * service's figures are read when the panel opens, after a clear, and on "Refresh".
 */
export class DashboardBody implements ReactiveController {
  readonly #host: DashboardHost;
  readonly #html: HtmlTag;
  readonly #monitor: CachePerformanceMonitor;
  #unsubscribe: (() => void) | undefined;
  #frame = 0;
  #metrics: CacheMetrics | undefined;
  #around: Surroundings | undefined;
  #status = '';
  #focusInView: Element | undefined;

  constructor(host: DashboardHost, html: HtmlTag, monitor: CachePerformanceMonitor) {
    this.#host = host;
    this.#html = html;
    this.#monitor = monitor;
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(styles);
    const root = host.renderRoot as ShadowRoot;
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    host.addController(this);
    new LightDismiss(host, () => host.renderRoot.querySelector<HTMLElement>('[part~="toggle"]'));
  }

  hostUpdate(): void {
    if (this.#host.open && this.#host.isConnected) this.#start();
    else this.#stop();
    const focused = (this.#host.renderRoot as ShadowRoot).activeElement;
    this.#focusInView = focused && this.#inPanelView(focused) ? focused : undefined;
  }

  hostDisconnected(): void {
    this.#stop();
  }

  /**
   * Each bar's width goes through the CSSOM, not a `style` attribute: a Content-Security-Policy without
   * 'unsafe-inline' drops those, and every bar would then draw full width.
   */
  hostUpdated(): void {
    for (const bar of this.#host.renderRoot.querySelectorAll<HTMLElement>('[data-share]')) {
      bar.style.setProperty('--share', bar.dataset.share!);
    }
    // Figures that grow above the focused button would push it out of the scrolled panel (WCAG 2.4.11); one the
    // user had scrolled away from stays where it is.
    const focused = this.#focusInView;
    if (focused && !this.#inPanelView(focused)) focused.scrollIntoView({ block: 'nearest' });
  }

  /** Whether `element` is in the panel, in its visible part. */
  #inPanelView(element: Element): boolean {
    const panel = this.#host.renderRoot.querySelector('[part~="panel"]');
    if (!panel?.contains(element)) return false;
    const box = element.getBoundingClientRect();
    const view = panel.getBoundingClientRect();
    return box.bottom > view.top && box.top < view.bottom;
  }

  /** Reads the service worker's and the image service's figures again. */
  async refresh(): Promise<void> {
    const store = this.#host.store();
    const stores = isFull(store) ? [store] : this.#monitor.stores;
    this.#around = await surroundings(stores);
    this.#host.requestUpdate();
  }

  #start(): void {
    if (this.#unsubscribe) return;
    this.#unsubscribe = this.#monitor.subscribe(() => {
      this.#frame ||= requestAnimationFrame(() => {
        this.#frame = 0;
        void this.#read();
      });
    });
    void this.#read();
    void this.refresh();
  }

  async #read(): Promise<void> {
    this.#metrics = await this.#monitor.getMetrics();
    this.#host.requestUpdate();
  }

  #stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  /** The host's whole shadow content: the toggle, and the panel when open. */
  render(): TemplateResult {
    const html = this.#html;
    const { open } = this.#host;
    return html`<button part="toggle" type="button" aria-expanded=${open ? 'true' : 'false'} aria-controls="panel" @click=${() => this.#toggle()}>
        <svg viewBox="0 0 16 16" aria-hidden="true"><path d="M1 9h3v6H1zM6.5 5h3v10h-3zM12 1h3v14h-3z"></path></svg>Cache
      </button>
      <section id="panel" part="panel" aria-label="Picture cache" ?hidden=${!open}>
        ${open ? this.#panel() : ''}
      </section>`;
  }

  #toggle(): void {
    this.#host.open = !this.#host.open;
  }

  #panel(): TemplateResult {
    const html = this.#html;
    const m = this.#metrics;
    if (!m) return html`<p class="muted">Loading…</p>`;
    const store = this.#host.store();
    return html`
      <h2>Picture cache</h2>
      <p class="muted" data-figure="period">${m.period ? `${clock(m.period.start)} – ${clock(m.period.end)} (${duration(m.period.end - m.period.start)})` : 'No pictures yet'}</p>
      <dl class="totals">
        ${this.#total('requests', 'Requests', String(m.requests))}
        ${this.#total('hit-rate', 'Hit rate', percent(m.hitRate))}
        ${this.#total('mean-load', 'Mean load time', millis(m.meanLoadMs))}
        ${this.#total('bytes-saved', 'Bytes saved', bytes(m.bytesSaved))}
        ${this.#total('time-saved', 'Time saved', duration(m.timeSavedMs))}
        ${this.#total('errors', 'Errors', String(m.errors))}
        ${this.#total('stale', 'Stale serves', String(m.stale))}
      </dl>
      <h3>Hit rate over time</h3>
      ${this.#sparkline(m.history)}
      <h3>Which picture: the layer that knew it</h3>
      ${this.#bars('layer', LAYER_LABELS, m.layers)}
      <h3>Bytes: where they came from</h3>
      ${this.#bars('source', SOURCE_LABELS, m.sources)}
      <h3>Service worker</h3>
      ${this.#worker()}
      <h3>Image service</h3>
      ${this.#backends()}
      <h3>Advice</h3>
      ${this.#advice(m)}
      <div class="actions">
        <button type="button" ?disabled=${!isFull(store)} @click=${() => void this.#clearCaches()}>Clear every cache</button>
        <button type="button" @click=${() => this.#reset()}>Reset figures</button>
        <button type="button" @click=${() => void this.#export()}>Export report</button>
        <button type="button" @click=${() => void this.#refreshNow()}>Refresh</button>
      </div>
      <p class="muted" role="status">${this.#status}</p>
    `;
  }

  #total(key: string, label: string, value: string): TemplateResult {
    return this.#html`<div><dt>${label}</dt><dd data-figure=${key}>${value}</dd></div>`;
  }

  #bars<K extends string>(kind: string, labels: Record<K, string>, figures: Record<K, LayerFigures>): TemplateResult {
    const html = this.#html;
    return html`<ul class="bars" data-kind=${kind}>
      ${(Object.keys(labels) as K[]).map((name) => {
        const f = figures[name];
        return html`<li data-name=${name}>
          <span class="label">${labels[name]}</span>
          <span class="bar" aria-hidden="true"><span data-share=${f.share}></span></span>
          <span class="count"><span data-hits>${f.hits}</span> · ${percent(f.share)}</span>
          <span class="times muted">${f.hits ? `median ${millis(f.medianMs)} · p95 ${millis(f.p95Ms)} · mean ${millis(f.meanMs)}` : ''}</span>
        </li>`;
      })}
    </ul>`;
  }

  #sparkline(history: CacheMetrics['history']): TemplateResult {
    const html = this.#html;
    if (!history.length) return html`<p class="muted">No pictures yet.</p>`;
    const step = history.length > 1 ? 100 / (history.length - 1) : 0;
    const points = history.map((p, i) => `${(i * step).toFixed(1)},${(29 - p.hitRate * 28).toFixed(1)}`);
    // One point still draws a line across.
    if (history.length === 1) points.push(`100,${points[0]!.split(',')[1]}`);
    const first = history[0]!;
    const last = history.at(-1)!;
    const label = `Hit rate of each run of up to 10 resolutions, ${history.length} runs: from ${percent(first.hitRate)} to ${percent(last.hitRate)}.`;
    return html`<svg class="sparkline" viewBox="0 0 100 30" preserveAspectRatio="none" role="img" aria-label=${label}>
      <line x1="0" x2="100" y1="1" y2="1" class="grid"></line><line x1="0" x2="100" y1="29" y2="29" class="grid"></line>
      <polyline points=${points.join(' ')}></polyline>
    </svg>`;
  }

  #worker(): TemplateResult {
    const html = this.#html;
    const worker = this.#around?.serviceWorker;
    if (!worker) return html`<p class="muted">Asking…</p>`;
    if (worker.state === 'none') return html`<p data-figure="service-worker">No service worker controls this page.</p>`;
    if (worker.state === 'error')
      return html`<p data-figure="service-worker">The service worker did not answer: ${worker.error}</p>`;
    const s = worker.stats;
    return html`<dl class="pairs" data-figure="service-worker">
      <dt>Entries</dt><dd>${s.totalEntries} (${s.validEntries} valid, ${s.expiredEntries} expired)</dd>
      <dt>Size</dt><dd>${s.totalSizeMB} MB</dd>
      <dt>Hits / misses / stale</dt><dd>${s.hits} / ${s.misses} / ${s.stale}</dd>
    </dl>`;
  }

  #backends(): TemplateResult {
    const html = this.#html;
    const backends = this.#around?.backends;
    if (!backends) return html`<p class="muted">Asking…</p>`;
    if (!backends.length) return html`<p class="muted">No store to ask.</p>`;
    return html`${backends.map(({ apiBase, stats, error }) =>
      stats
        ? html`<dl class="pairs" data-figure="backend">
            <dt>${apiBase}</dt><dd>${stats.backend} cache</dd>
            <dt>Hit rate</dt><dd>${percent(stats.hitRate)} (${stats.hits} hits, ${stats.misses} misses)</dd>
            <dt>Cached users</dt><dd>${stats.keys}</dd>
          </dl>`
        : html`<p data-figure="backend">${apiBase}: the cache figures could not be read (${error}).</p>`,
    )}`;
  }

  #advice(metrics: CacheMetrics): TemplateResult {
    const html = this.#html;
    if (!this.#around) return html`<p class="muted">Asking…</p>`;
    return html`<ul class="advice">
      ${advise(metrics, this.#around).map((a) => html`<li class=${a.level} data-rule=${a.rule}>${a.text}</li>`)}
    </ul>`;
  }

  async #clearCaches(): Promise<void> {
    const store = this.#host.store();
    if (!isFull(store)) return;
    this.#say('Clearing…');
    try {
      await store.clear();
      this.#say('Every cache cleared: memory, LocalStorage, IndexedDB and the service worker.');
    } catch (error) {
      this.#say(`Clearing failed: ${(error as Error).message}`);
    }
    await this.refresh();
  }

  #reset(): void {
    this.#monitor.clear();
    this.#say('Figures reset.');
  }

  async #export(): Promise<void> {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([await this.#monitor.export()], { type: 'application/json' }));
    link.download = `cache-report-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
    link.click();
    // The download has started by then; revoking at once can cancel it.
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    this.#say('Report downloaded.');
  }

  async #refreshNow(): Promise<void> {
    this.#say('Refreshing…');
    await this.refresh();
    this.#say('Refreshed.');
  }

  #say(status: string): void {
    this.#status = status;
    this.#host.requestUpdate();
  }
}

function isFull(store: PictureSource): store is FullStore {
  const s = store as Partial<FullStore>;
  return typeof s.clear === 'function' && typeof s.stats === 'function' && typeof s.apiBase === 'string';
}
