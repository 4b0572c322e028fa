// <cache-dashboard> on a page sent with `Content-Security-Policy: style-src 'self'` (no 'unsafe-inline'), as strict
// sites and many CMSs are: given known figures, each bar still draws at its share, and nothing it does is refused.
// The page is a frame served by the test server (elements/testing/csp-page.mjs).
import { expect } from '@esm-bundle/chai';
import { until } from '../../scripts/testing/wait.ts';
import type { MonitorState, Tally } from '../monitor/state.ts';
import type { CacheDashboard } from './cache-dashboard.ts';

/** `count` answers of 2 ms each. */
const answers = (count: number): Tally => ({
  count,
  totalMs: count * 2,
  samples: Array.from({ length: count }, () => 2),
});

/** 8 resolutions and 8 pictures shown, so each share is a round fraction. */
const FIGURES: MonitorState = {
  since: Date.parse('2026-11-27T09:00:00Z'),
  until: Date.parse('2026-11-27T09:01:00Z'),
  layers: { memory: answers(3), localStorage: answers(1), network: answers(4) },
  sources: { httpCache: answers(2), network: answers(6) },
  bytesSaved: 54_000,
  errors: 0,
  stale: 0,
  history: [{ at: Date.parse('2026-11-27T09:00:00Z'), requests: 8, hits: 4 }],
};
const SHARES = {
  layer: { memory: 3 / 8, localStorage: 1 / 8, indexedDB: 0, network: 4 / 8 },
  source: { memoryCache: 0, httpCache: 2 / 8, serviceWorker: 0, indexedDB: 0, network: 6 / 8, unknown: 0 },
};

type StrictWindow = Window & typeof globalThis;

describe('<cache-dashboard> under a Content-Security-Policy without unsafe-inline', () => {
  let frame: HTMLIFrameElement;

  afterEach(() => frame?.remove());

  /** A frame on a strict page that has loaded `module`, and the policy violations reported in it from now on. */
  async function strictPage(
    module: string,
  ): Promise<{ win: StrictWindow; violations: SecurityPolicyViolationEvent[] }> {
    frame = document.createElement('iframe');
    frame.width = '800';
    frame.height = '1200';
    frame.src = `/__csp?module=${encodeURIComponent(module)}`;
    document.body.append(frame);
    await until(() => frame.contentWindow?.customElements.get('cache-dashboard'), 'the strict page');
    const win = frame.contentWindow as StrictWindow;
    const violations: SecurityPolicyViolationEvent[] = [];
    win.document.addEventListener('securitypolicyviolation', (event) => violations.push(event));
    return { win, violations };
  }

  /**
   * Puts an element with a style attribute in the page and waits for its violation: the policy is in force, and every
   * violation before it has been reported.
   */
  async function probe(win: StrictWindow, violations: SecurityPolicyViolationEvent[]): Promise<HTMLElement> {
    const before = violations.length;
    const probe = win.document.createElement('div');
    probe.innerHTML = '<span style="display:block;width:10px"></span>';
    win.document.body.append(probe);
    await until(() => violations.length > before, "the probe's violation");
    return probe.firstElementChild as HTMLElement;
  }

  it('draws each bar at its share through the CSSOM, and causes no violation', async () => {
    const { win, violations } = await strictPage('/elements/cache-dashboard/cache-dashboard.ts');
    const refused = await probe(win, violations);
    expect(win.getComputedStyle(refused).width).to.not.equal('10px', 'the page refuses style attributes');
    violations.length = 0;

    await win.cacheMonitor.restore(
      JSON.stringify({ schema: 1, exportedAt: new Date().toISOString(), metrics: {}, state: FIGURES }),
    );
    const dashboard = win.document.createElement('cache-dashboard') as CacheDashboard;
    dashboard.open = true;
    win.document.body.append(dashboard);
    await until(() => dashboard.shadowRoot!.querySelector('[data-kind="source"] [data-name="network"]'), 'the bars');
    const root = dashboard.shadowRoot!;

    for (const [kind, shares] of Object.entries(SHARES)) {
      for (const [name, share] of Object.entries(shares)) {
        const track = root.querySelector(`[data-kind="${kind}"] [data-name="${name}"] .bar`)!;
        const drawn = track.firstElementChild!.getBoundingClientRect().width / track.getBoundingClientRect().width;
        expect(drawn, `${kind} ${name}`).to.be.closeTo(share, 0.01);
      }
    }
    await probe(win, violations);
    expect(
      violations.map((v) => v.effectiveDirective),
      "the probe's violation alone",
    ).to.deep.equal(['style-src-attr']);
  });
});
