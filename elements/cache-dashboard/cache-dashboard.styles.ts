// The element's styles, loaded with its body (a module of its own), so the drop-in bundle does not carry them. A
// plain string the body adopts, as that module has no Lit of its own; tagged css (String.raw) so the build minifies
// it like Lit's styles. Every colour is a custom property on :host, with light and dark defaults.
const css = String.raw;

export default css`
  :host {
    --cache-dashboard-background: #ffffff;
    --cache-dashboard-color: #1f2328;
    --cache-dashboard-muted: #59636e;
    --cache-dashboard-border: #d1d9e0;
    --cache-dashboard-track: #eef1f4;
    --cache-dashboard-accent: #0a61c9;
    --cache-dashboard-good: #1a7f37;
    --cache-dashboard-warn: #9a5b00;
    --cache-dashboard-shadow: 0 8px 28px rgb(0 0 0 / 0.18);
    --cache-dashboard-font: system-ui, -apple-system, 'Segoe UI', sans-serif;
    --cache-dashboard-offset: 16px;
    --cache-dashboard-z-index: 2147483000;
    position: fixed;
    z-index: var(--cache-dashboard-z-index);
    bottom: var(--cache-dashboard-offset);
    right: var(--cache-dashboard-offset);
    display: flex;
    flex-direction: column-reverse;
    align-items: flex-end;
    gap: 8px;
    font: 13px/1.45 var(--cache-dashboard-font);
    color: var(--cache-dashboard-color);
    color-scheme: light;
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --cache-dashboard-background: #161b22;
      --cache-dashboard-color: #e6edf3;
      --cache-dashboard-muted: #9da7b3;
      --cache-dashboard-border: #3d444d;
      --cache-dashboard-track: #262c36;
      --cache-dashboard-accent: #4d9bff;
      --cache-dashboard-good: #3fb950;
      --cache-dashboard-warn: #e3a33b;
      --cache-dashboard-shadow: 0 8px 28px rgb(0 0 0 / 0.55);
      color-scheme: dark;
    }
  }
  :host([position^='top']) {
    top: var(--cache-dashboard-offset);
    bottom: auto;
    flex-direction: column;
  }
  :host([position$='left']) {
    left: var(--cache-dashboard-offset);
    right: auto;
    align-items: flex-start;
  }
  [part~='toggle'] {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    padding: 6px 12px;
    border: 1px solid var(--cache-dashboard-border);
    border-radius: 999px;
    background: var(--cache-dashboard-background);
    box-shadow: var(--cache-dashboard-shadow);
    color: inherit;
    font: inherit;
    font-weight: 600;
    cursor: pointer;
  }
  [part~='toggle'] svg {
    width: 16px;
    height: 16px;
    fill: var(--cache-dashboard-accent);
  }
  :focus-visible {
    outline: 2px solid var(--cache-dashboard-accent);
    outline-offset: 2px;
  }
  [hidden] {
    display: none !important;
  }
  [part~='panel'] {
    box-sizing: border-box;
    width: min(380px, calc(100vw - 2 * var(--cache-dashboard-offset)));
    max-height: min(640px, calc(100vh - 80px));
    overflow: auto;
    padding: 14px 16px;
    border: 1px solid var(--cache-dashboard-border);
    border-radius: 12px;
    background: var(--cache-dashboard-background);
    box-shadow: var(--cache-dashboard-shadow);
  }
  h2 {
    margin: 0;
    font-size: 15px;
  }
  h3 {
    margin: 14px 0 6px;
    font-size: 12px;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--cache-dashboard-muted);
  }
  p {
    margin: 4px 0;
  }
  .muted {
    color: var(--cache-dashboard-muted);
  }
  dl {
    margin: 0;
  }
  dd {
    margin: 0;
  }
  .totals {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(100px, 1fr));
    gap: 8px;
    margin-top: 10px;
  }
  .totals div {
    padding: 6px 8px;
    border: 1px solid var(--cache-dashboard-border);
    border-radius: 8px;
  }
  .totals dt {
    font-size: 11px;
    color: var(--cache-dashboard-muted);
  }
  .totals dd {
    font-size: 16px;
    font-weight: 600;
    font-variant-numeric: tabular-nums;
  }
  .pairs {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 2px 12px;
  }
  .pairs dt {
    color: var(--cache-dashboard-muted);
  }
  ul {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .bars li {
    display: grid;
    grid-template-columns: 104px 1fr auto;
    align-items: center;
    gap: 0 8px;
    font-variant-numeric: tabular-nums;
  }
  .bar {
    height: 8px;
    border-radius: 4px;
    background: var(--cache-dashboard-track);
    overflow: hidden;
  }
  .bar span {
    display: block;
    height: 100%;
    width: calc(var(--share) * 100%);
    background: var(--cache-dashboard-accent);
  }
  .times {
    grid-column: 1 / -1;
    padding-left: 112px;
    font-size: 11px;
  }
  .times:empty {
    display: none;
  }
  .sparkline {
    display: block;
    width: 100%;
    height: 40px;
  }
  .sparkline polyline {
    fill: none;
    stroke: var(--cache-dashboard-accent);
    stroke-width: 2;
    vector-effect: non-scaling-stroke;
    stroke-linejoin: round;
  }
  .sparkline .grid {
    stroke: var(--cache-dashboard-border);
    stroke-width: 1;
    vector-effect: non-scaling-stroke;
  }
  .advice li {
    margin: 4px 0;
    padding: 6px 8px;
    border-left: 3px solid var(--cache-dashboard-warn);
    border-radius: 4px;
    background: var(--cache-dashboard-track);
  }
  .advice li.ok {
    border-left-color: var(--cache-dashboard-good);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    margin-top: 14px;
  }
  .actions button {
    padding: 5px 10px;
    border: 1px solid var(--cache-dashboard-border);
    border-radius: 6px;
    background: var(--cache-dashboard-background);
    color: inherit;
    font: inherit;
    cursor: pointer;
  }
  .actions button:hover:not(:disabled) {
    border-color: var(--cache-dashboard-accent);
  }
  .actions button:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }
  /* Forced colours (Windows' contrast themes) paint every background as Canvas: a bar would vanish into its track. */
  @media (forced-colors: active) {
    .bar {
      border: 1px solid CanvasText;
    }
    .bar span {
      forced-color-adjust: none;
      background: CanvasText;
    }
    :focus-visible {
      outline-color: Highlight;
    }
    /* Chromium leaves SVG paint as written: the theme's colours instead */
    [part~='toggle'] svg {
      fill: ButtonText;
    }
    .sparkline polyline {
      stroke: CanvasText;
    }
    .sparkline .grid {
      stroke: GrayText;
    }
  }
`;
