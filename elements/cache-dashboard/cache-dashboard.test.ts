// <cache-dashboard> in Chromium, on the page's monitor fed by real pictures from the image service: what it shows
// against getMetrics(), the corner, the keyboard, how the open panel closes (as a popover, and when the focus leaves
// it), live updates and none while closed, its buttons, its figures of the service and the worker, and an
// accessibility check (axe-core) closed and open, in light and dark.
import { expect } from '@esm-bundle/chai';
import { emulateMedia, resetMouse, sendKeys, sendMouse, setViewport } from '@web/test-runner-commands';
import 'axe-core/axe.min.js';
import type { AxeResults, RunOptions } from 'axe-core';
import type { CacheStats } from '../../contract/picture.ts';
import { until } from '../../scripts/testing/wait.ts';
import { fetchPicture, startWorker, stats, stopWorkers } from '../../sw/testing/worker.ts';
import { bytes, duration, millis, percent } from '../monitor/format.ts';
import { pageMonitor } from '../monitor/page-monitor.ts';
import { LAYER_LABELS, SOURCE_LABELS } from '../monitor/report.ts';
import { provider, showPictures } from '../monitor/testing/show-pictures.ts';
import type { PictureStore } from '../store/picture-store.ts';
import { seed, users } from '../testing/service.ts';
import { CacheDashboard } from './cache-dashboard.ts';

declare const axe: { run(context: Element, options?: RunOptions): Promise<AxeResults> };

/**
 * The next animation frame: the dashboard redraws in one after the figures change, so two frames with no update
 * prove that none is coming. For what can be awaited, await it (`until`, `updateComplete`).
 */
const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

/** A dashboard inside `parent` (a provider, or the body), its body loaded. */
async function dashboard(
  parent: HTMLElement = document.body,
  attributes: Record<string, string> = {},
): Promise<CacheDashboard> {
  const element = document.createElement('cache-dashboard');
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  parent.append(element);
  await until(() => element.shadowRoot?.querySelector('[part~="toggle"]'), "the dashboard's body");
  return element;
}

const toggle = (element: CacheDashboard) => element.shadowRoot!.querySelector<HTMLButtonElement>('[part~="toggle"]')!;
const panel = (element: CacheDashboard) => element.shadowRoot!.querySelector<HTMLElement>('[part~="panel"]')!;
const figure = (element: CacheDashboard, name: string) =>
  element.shadowRoot!.querySelector(`[data-figure="${name}"]`)?.textContent?.trim();
const bar = (element: CacheDashboard, kind: string, name: string) =>
  element.shadowRoot!.querySelector(`[data-kind="${kind}"] [data-name="${name}"] [data-hits]`)?.textContent;

/** Opens the dashboard and waits until its panel shows the figures and the service's. */
async function open(element: CacheDashboard): Promise<void> {
  if (!element.open) toggle(element).click();
  await until(
    () => figure(element, 'requests') !== undefined && element.shadowRoot!.querySelector('[data-figure="backend"]'),
    'the open panel',
  );
}

describe('<cache-dashboard>', () => {
  afterEach(async () => {
    for (const element of document.querySelectorAll('cache-dashboard, picture-store-provider, .page-content')) {
      element.remove();
    }
    pageMonitor().clear();
    await emulateMedia({ colorScheme: 'light' });
  });

  it('is registered, and shows only its toggle, in the bottom-right corner, until opened', async () => {
    const element = await dashboard();
    expect(customElements.get('cache-dashboard')).to.equal(CacheDashboard);
    expect(element.open).to.equal(false);
    expect(panel(element).hidden).to.equal(true);
    expect(panel(element).childElementCount).to.equal(0, 'nothing is rendered while closed');
    const box = toggle(element).getBoundingClientRect();
    expect(innerWidth - box.right).to.be.within(8, 24);
    expect(innerHeight - box.bottom).to.be.within(8, 24);

    element.position = 'top-left';
    await element.updateComplete;
    expect(element.getAttribute('position')).to.equal('top-left');
    const moved = toggle(element).getBoundingClientRect();
    expect(moved.left).to.be.within(8, 24);
    expect(moved.top).to.be.within(8, 24);
  });

  it('shows the same numbers as getMetrics() after a session of real pictures', async () => {
    const ids = users('dash', 30);
    await seed(ids);
    pageMonitor().clear();
    const host = provider();
    await showPictures(host, ids);
    const pictures = document.createElement('div');
    host.append(pictures);
    await showPictures(pictures, ids.slice(0, 20));
    const element = await dashboard(host);
    await open(element);
    const m = await pageMonitor().getMetrics();
    expect(m.requests).to.equal(50);

    expect(figure(element, 'requests')).to.equal('50');
    expect(figure(element, 'hit-rate')).to.equal(percent(m.hitRate)).and.equal('40.0%');
    expect(figure(element, 'mean-load')).to.equal(millis(m.meanLoadMs));
    expect(figure(element, 'bytes-saved')).to.equal(bytes(m.bytesSaved));
    expect(figure(element, 'time-saved')).to.equal(duration(m.timeSavedMs));
    expect(figure(element, 'errors')).to.equal('0');
    expect(figure(element, 'stale')).to.equal('0');
    for (const name of Object.keys(LAYER_LABELS) as (keyof typeof LAYER_LABELS)[])
      expect(bar(element, 'layer', name)).to.equal(String(m.layers[name].hits));
    for (const name of Object.keys(SOURCE_LABELS) as (keyof typeof SOURCE_LABELS)[])
      expect(bar(element, 'source', name)).to.equal(String(m.sources[name].hits));
    expect([bar(element, 'layer', 'network'), bar(element, 'layer', 'memory')]).to.deep.equal(['30', '20']);
    const sparkline = element.shadowRoot!.querySelector('svg.sparkline')!;
    expect(sparkline.getAttribute('role')).to.equal('img');
    expect(sparkline.getAttribute('aria-label')).to.equal(
      'Hit rate of each run of up to 10 resolutions, 5 runs: from 0.0% to 100.0%.',
    );
  });

  it('updates live, at most once per frame, and not at all while closed', async () => {
    const element = await dashboard();
    let updates = 0;
    element.addController({ hostUpdated: () => updates++ });
    const monitor = pageMonitor();

    for (let i = 0; i < 200; i++) monitor.record({ userId: `u${i}`, layer: 'memory', ms: 0.2 });
    await frame();
    await frame();
    expect(updates).to.equal(0, 'closed: no update');

    await open(element);
    await element.updateComplete;
    updates = 0;
    for (let i = 0; i < 100; i++) monitor.record({ userId: `u${i}`, layer: 'network', ms: 3 });
    await until(() => figure(element, 'requests') === '300', 'the new figures');
    expect(updates).to.equal(1, 'one update for the whole task');

    element.open = false;
    await element.updateComplete;
    updates = 0;
    monitor.record({ userId: 'late', layer: 'memory', ms: 0.1 });
    await frame();
    await frame();
    expect(updates).to.equal(0, 'closed again: no update');
  });

  it('is keyboard-usable: Enter opens, Escape closes and gives the focus back to the toggle', async () => {
    const element = await dashboard();
    toggle(element).focus();
    await sendKeys({ press: 'Enter' });
    await until(() => element.open, 'Enter to open');
    expect(toggle(element).getAttribute('aria-expanded')).to.equal('true');
    expect(toggle(element).getAttribute('aria-controls')).to.equal(panel(element).id);
    expect(panel(element).getAttribute('aria-label')).to.equal('Picture cache');
    await open(element);

    await sendKeys({ press: 'Tab' });
    expect(panel(element).contains(element.shadowRoot!.activeElement)).to.equal(true, 'Tab goes into the panel');
    await sendKeys({ press: 'Escape' });
    await element.updateComplete;
    expect(element.open).to.equal(false);
    expect(element.shadowRoot!.activeElement).to.equal(toggle(element));
    expect(toggle(element).getAttribute('aria-expanded')).to.equal('false');
    await sendKeys({ press: ' ' });
    await until(() => element.open, 'Space to open');
  });

  /** A button of the page's own, in the document after `dashboard` (or before it), placed at `left`, `top`. */
  function pageButton(text: string, where: { left: number; top: number }, before?: Element): HTMLButtonElement {
    const button = document.createElement('button');
    button.className = 'page-content';
    button.textContent = text;
    Object.assign(button.style, { position: 'fixed', left: `${where.left}px`, top: `${where.top}px` });
    if (before) before.before(button);
    else document.body.append(button);
    return button;
  }
  const focused = () => {
    const active = document.activeElement;
    return active instanceof CacheDashboard ? active.shadowRoot!.activeElement : active;
  };

  it('Tab goes from the toggle into the open panel and on out of it, which closes it; so does Shift+Tab out', async () => {
    const element = await dashboard();
    const before = pageButton('Before', { left: 10, top: 10 }, element);
    const after = pageButton('After', { left: 10, top: 50 });
    toggle(element).focus();
    await sendKeys({ press: 'Enter' });
    await open(element);

    await sendKeys({ press: 'Tab' });
    expect(panel(element).contains(focused())).to.equal(true, 'Tab goes into the panel');
    const inPanel = panel(element).querySelectorAll('button:not(:disabled)').length;
    for (let i = 1; i < inPanel; i++) await sendKeys({ press: 'Tab' });
    expect(panel(element).contains(focused())).to.equal(true, 'still in the panel at its last button');
    await sendKeys({ press: 'Tab' });
    expect(focused()).to.equal(after);
    await element.updateComplete;
    expect(element.open).to.equal(false, 'focus past the panel closes it');

    toggle(element).focus();
    await sendKeys({ press: 'Enter' });
    await open(element);
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ up: 'Shift' });
    expect(focused()).to.equal(before);
    await element.updateComplete;
    expect(element.open).to.equal(false, 'focus before the toggle closes it');
  });

  it('Escape closes it from the toggle and from inside the panel, the focus on the toggle', async () => {
    const element = await dashboard();
    toggle(element).focus();
    await sendKeys({ press: 'Enter' });
    await open(element);
    await sendKeys({ press: 'Escape' });
    await element.updateComplete;
    expect(element.open).to.equal(false, 'from the toggle');
    expect(focused()).to.equal(toggle(element), 'from the toggle: the focus on the toggle');

    await sendKeys({ press: 'Enter' });
    await open(element);
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Tab' });
    expect(panel(element).contains(focused())).to.equal(true);
    await sendKeys({ press: 'Escape' });
    await element.updateComplete;
    expect(element.open).to.equal(false, 'from inside the panel');
    expect(focused()).to.equal(toggle(element), 'from inside the panel: the focus on the toggle');
  });

  it('a click outside closes it, one inside does not; so does the focus moving outside by any means', async () => {
    const element = await dashboard();
    const outside = pageButton('Elsewhere', { left: 10, top: 10 });
    try {
      toggle(element).click();
      await open(element);
      const heading = panel(element).querySelector('h2')!.getBoundingClientRect();
      await sendMouse({ type: 'click', position: [Math.round(heading.x + 5), Math.round(heading.y + 5)] });
      await element.updateComplete;
      expect(element.open).to.equal(true, 'a click inside the panel');
      await sendMouse({ type: 'click', position: [200, 200] });
      await element.updateComplete;
      expect(element.open).to.equal(false, 'a click on the page');

      toggle(element).click();
      await open(element);
      outside.focus();
      await element.updateComplete;
      expect(element.open).to.equal(false, 'the page took the focus');
    } finally {
      await resetMouse();
    }
  });

  it('never covers what has the focus (WCAG 2.4.11): at 1280×900, Tab onto a button under the panel closes it', async () => {
    const viewport = { width: innerWidth, height: innerHeight };
    await setViewport({ width: 1280, height: 900 });
    after(() => setViewport(viewport));
    const element = await dashboard();
    toggle(element).click();
    await open(element);
    const box = panel(element).getBoundingClientRect();
    const under = pageButton('Under the panel', { left: Math.round(box.x + 40), top: Math.round(box.y + 40) });
    const centre = () => {
      const { x, y, width, height } = under.getBoundingClientRect();
      return document.elementFromPoint(x + width / 2, y + height / 2);
    };
    expect(centre()).to.equal(element, 'the open panel covers the button');
    toggle(element).focus();
    const inPanel = panel(element).querySelectorAll('button:not(:disabled)').length;
    for (let i = 0; i <= inPanel; i++) await sendKeys({ press: 'Tab' });
    expect(focused()).to.equal(under);
    await element.updateComplete;
    expect(element.open).to.equal(false);
    expect(centre()).to.equal(under, 'the focused button shows');
  });

  it('keeps the button that has the focus in view when the figures above it grow, and not one scrolled away from', async () => {
    const viewport = { width: innerWidth, height: innerHeight };
    await setViewport({ width: 320, height: 640 });
    after(() => setViewport(viewport));
    const element = await dashboard();
    await open(element);
    const scroller = panel(element);
    expect(scroller.scrollHeight).to.be.above(scroller.clientHeight, 'the panel scrolls at 320×640');
    const refresh = [...scroller.querySelectorAll('button')].find((b) => b.textContent === 'Refresh')!;
    const inView = () => {
      const box = refresh.getBoundingClientRect();
      const shown = scroller.getBoundingClientRect();
      return box.bottom > shown.top && box.top < shown.bottom;
    };
    refresh.focus();
    expect(inView()).to.equal(true, 'focused, it is scrolled into view');

    // Every layer's and source's times get a line of their own, and the hit rate its chart: all above the button.
    const monitor = pageMonitor();
    for (const layer of Object.keys(LAYER_LABELS) as (keyof typeof LAYER_LABELS)[])
      for (let i = 0; i < 20; i++) monitor.record({ userId: `${layer}${i}`, layer, ms: 2 });
    for (const source of Object.keys(SOURCE_LABELS) as (keyof typeof SOURCE_LABELS)[])
      monitor.record({ userId: source, layer: 'memory', source, ms: 3, bytesSaved: 1000 });
    const grown = scroller.scrollHeight;
    await until(() => scroller.scrollHeight > grown, 'the figures to grow');
    await element.updateComplete;
    expect(focused()).to.equal(refresh);
    expect(inView()).to.equal(true, 'still in view');

    // Scrolled away from by the user, the focused button is left where it is.
    scroller.scrollTop = 0;
    await new Promise((resolve) => scroller.addEventListener('scroll', resolve, { once: true }));
    const requests = Number(figure(element, 'requests'));
    monitor.record({ userId: 'one-more', layer: 'memory', ms: 1 });
    await until(() => figure(element, 'requests') === String(requests + 1), 'the next figures');
    await element.updateComplete;
    expect(scroller.scrollTop).to.equal(0, 'the panel stays where the user scrolled it');
  });

  it("shows the image service's cache figures, that no worker controls the page, and the advice", async () => {
    expect(navigator.serviceWorker.controller).to.equal(null);
    const element = await dashboard(provider());
    await open(element);
    const stats = (await (await fetch('/api/cache/stats')).json()) as CacheStats;
    const backend = figure(element, 'backend')!;
    expect(backend).to.include(`${stats.backend} cache`);
    expect(backend).to.include(`${stats.keys}`);
    expect(figure(element, 'service-worker')).to.equal('No service worker controls this page.');
    const rules = [...element.shadowRoot!.querySelectorAll('.advice [data-rule]')].map((li) =>
      li.getAttribute('data-rule'),
    );
    expect(rules).to.include('no-service-worker');
  });

  it('with a service worker: shows its figures, and counts the pictures it answers as served by it', async () => {
    await startWorker();
    try {
      const ids = users('dash-sw', 3);
      const metas = await seed(ids);
      // The worker keeps each picture on its first fetch; the elements' images are then answered from its cache.
      for (const meta of metas) expect((await fetchPicture(meta.url)).served).to.equal('miss');
      pageMonitor().clear();
      const host = provider();
      expect(await showPictures(host, ids)).to.deep.equal({ loaded: 3, failed: 0 });
      expect((await pageMonitor().getMetrics()).sources.serviceWorker.hits).to.equal(3);

      const element = await dashboard(host);
      await open(element);
      await until(() => figure(element, 'service-worker')?.startsWith('Entries'), "the worker's figures");
      const worker = await stats();
      const shownStats = [...element.shadowRoot!.querySelectorAll('[data-figure="service-worker"] dd')].map(
        (dd) => dd.textContent,
      );
      expect(shownStats).to.deep.equal([
        `${worker.totalEntries} (${worker.validEntries} valid, ${worker.expiredEntries} expired)`,
        `${worker.totalSizeMB} MB`,
        `${worker.hits} / ${worker.misses} / ${worker.stale}`,
      ]);
      expect([worker.totalEntries, worker.hits, worker.misses]).to.deep.equal([3, 3, 3]);
      expect(bar(element, 'source', 'serviceWorker')).to.equal('3');
    } finally {
      await stopWorkers();
    }
  });

  it('Reset figures empties the monitor; Clear every cache empties the store', async () => {
    const ids = users('clear', 5);
    await seed(ids);
    const host = provider() as HTMLElement & { store: PictureStore };
    const pictures = document.createElement('div');
    host.append(pictures);
    await showPictures(pictures, ids);
    // Pictures still on screen would be asked for again at once: the page has moved on.
    pictures.remove();
    const element = await dashboard(host);
    await open(element);
    const button = (text: string) =>
      [...element.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent === text)!;
    const inLocalStorage = () => Object.keys(localStorage).filter((key) => ids.some((id) => key.endsWith(id))).length;

    expect(host.store.peek(ids[0]!)?.layer).to.equal('memory');
    expect(inLocalStorage()).to.equal(5);
    button('Clear every cache').click();
    await until(
      () => element.shadowRoot!.querySelector('[role="status"]')?.textContent?.startsWith('Every cache cleared'),
      'the clear',
    );
    expect(host.store.peek(ids[0]!)).to.equal(undefined);
    expect(inLocalStorage()).to.equal(0);

    button('Reset figures').click();
    await until(() => figure(element, 'requests') === '0', 'the reset');
    expect((await pageMonitor().getMetrics()).requests).to.equal(0);
  });

  it('passes an accessibility check (axe-core) closed and open, in light and in dark', async () => {
    const ids = users('axe', 10);
    await seed(ids);
    const host = provider();
    await showPictures(host, ids);
    const element = await dashboard(host);
    const check = async (state: string, rules: string[]) => {
      const results = await axe.run(element, { resultTypes: ['violations'] });
      expect(
        results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      ).to.deep.equal([], state);
      expect(results.passes.map((rule) => rule.id)).to.include.members(rules, state);
    };
    for (const colorScheme of ['light', 'dark'] as const) {
      await emulateMedia({ colorScheme });
      element.open = false;
      await element.updateComplete;
      await check(`closed, ${colorScheme}`, ['color-contrast', 'button-name', 'aria-valid-attr-value']);
      await open(element);
      await element.updateComplete;
      await check(`open, ${colorScheme}`, ['color-contrast', 'button-name', 'aria-allowed-attr', 'list']);
    }
  });
});
