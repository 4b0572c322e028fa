// `npm run bench:browser`: 50 profile pictures in Chromium, `<cached-profile-picture>` against what a site uses
// instead, all served by the same service in one run: (a) plain <img> on URLs that are not cacheable, with one
// metadata request per user; (b) plain <img> on immutable URLs, with one metadata request per user (the best a site
// gets without us); (b0) immutable URLs the page already knows (an ideal no real site has); (c) ours, alone and with
// its service worker. For each: the time from connecting 50 tags (or starting to ask) to all 50 decoded, the
// requests and bytes that reached the server, cold, in the same page again, after a reload, and offline after a
// reload. Medians of BENCH_RUNS runs, each in a fresh browser profile. `--json` prints the figures as JSON instead of
// the tables. The pictures are 96×96 PNGs of noise, uploaded; the service serves WebP copies of them.
//
// `npm run bench:browser -- --realistic` (or BENCH_REALISTIC=1): 50 users who uploaded 12-megapixel phone JPEGs,
// shown at 48 px at device pixel ratios 1 and 2, against two resizing peers (96-px WebP URLs the page knows; a
// metadata request per user, then its 96-px WebP) and the raw JPEGs for reference; time to all decoded, requests,
// image bytes, natural widths and the renderer's image memory, cold and after a reload, with the issue's targets
// checked. See bench/browser-realistic.ts.
import { writeFile } from 'node:fs/promises';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { PictureMeta } from '../contract/picture.ts';
import { noisyPng } from '../backend/testing/images.ts';
import { startEmbedded } from '../backend/testing/stack.ts';
import { NO_STORE_PREFIX, startCountingProxy } from '../elements/testing/counting-proxy.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.mjs';
import { sleep } from '../scripts/testing/wait.ts';
import { knownUrlsPage, oursPage, perUserMetaPage, tagsPage, USERS, type Measured } from './browser-pages.ts';
import { realistic } from './browser-realistic.ts';
import { barChartSvg } from './chart.ts';
import { upload } from '../backend/testing/upload.ts';
import { median, medianMs, ratiosByRun, ratiosText } from './stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

if (process.argv.includes('--realistic') || process.env.BENCH_REALISTIC === '1') {
  await realistic(RUNS, process.argv.includes('--json'));
  process.exit(0);
}

/** A Lit element `tag` of `body` (its class body, which may use `html` and `styles`, the element's own), minified. */
async function litElementScript(tag: string, body: string): Promise<string> {
  const root = new URL('..', import.meta.url).pathname;
  const built = await build({
    stdin: {
      contents: `import { LitElement, html } from 'lit';
      import styles from './elements/cached-profile-picture/cached-profile-picture.styles.ts';
      customElements.define('${tag}', class extends LitElement { ${body} });`,
      resolveDir: root,
    },
    bundle: true,
    minify: true,
    format: 'esm',
    write: false,
    conditions: ['production'],
  });
  return built.outputFiles[0]!.text;
}

/**
 * (b0) inside the smallest Lit element there is: the known URL in an `<img>` in a shadow root. Not a contender but
 * the floor of any Lit web component showing these pictures, so the cost of (c)'s own work can be told apart.
 */
const litFloorPage = async (urls: string[]) =>
  tagsPage(
    `<script type="module">${await litElementScript(
      'lit-picture',
      `static properties = { src: {} };
      render() { return html\`<img src=\${this.src} width="48" height="48">\`; }`,
    )}</script>`,
    'lit-picture',
    urls,
    '{ src: item }',
  );

/**
 * The same floor rendering what (c) renders for a known picture: its `<img>` with the same `srcset`, `src`, `alt`,
 * part and inline style, under (c)'s styles. Between the two floors is what that markup costs any element; between
 * this one and (c), what (c)'s own code costs (knowing the picture without asking, watching it, its events).
 * `shown` lists, for each picture, what (c)'s `<img>` had.
 */
const litMarkupFloorPage = async (shown: string[][]) =>
  tagsPage(
    `<script type="module">${await litElementScript(
      'lit-markup-picture',
      `static styles = styles;
      static properties = { src: {}, srcset: {}, alt: {}, look: {} };
      render() { return html\`<img part="image" srcset=\${this.srcset} src=\${this.src} alt=\${this.alt}>\`; }
      updated() { this.renderRoot.querySelector('img').style.cssText = this.look; }`,
    )}</script>`,
    'lit-markup-picture',
    shown,
    '{ src: item[0], srcset: item[1], alt: item[2], look: item[3] }',
  );

const service = await startEmbedded('node');
const metas: PictureMeta[] = [];
for (const [i, id] of USERS.entries()) metas.push(await upload(service.base, id, noisyPng(i + 1)));
const paths = metas.map((m) => new URL(m.url, service.base).pathname);
const contenders = {
  a: {
    name: '(a) `no-store` images, one metadata request per user',
    path: '/a.html',
    page: perUserMetaPage(NO_STORE_PREFIX),
  },
  b: { name: '(b) immutable URLs, one metadata request per user', path: '/b.html', page: perUserMetaPage('') },
  b0: { name: '(b0) immutable URLs already known to the page', path: '/b0.html', page: knownUrlsPage(paths) },
  c: { name: '(c) `<cached-profile-picture>`', path: '/c.html', page: oursPage() },
  cw: {
    name: '(c) with its service worker, precaching the page',
    path: '/cw.html',
    page: oursPage('/sw.js?precache=/cw.html'),
  },
  lit: { name: 'floor: (b0) inside a minimal Lit element', path: '/lit.html', page: await litFloorPage(paths) },
  // Made below, from what (c) shows.
  litMarkup: { name: "floor with (c)'s markup: the same `<img>` and styles", path: '/lit-markup.html', page: '' },
} as const;
type Contender = keyof typeof contenders;
const pages: Record<string, string> = Object.fromEntries(Object.values(contenders).map((c) => [c.path, c.page]));
const proxy = await startCountingProxy(service.base, pages);
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
pages[contenders.litMarkup.path] = await litMarkupFloorPage(await shownBy(contenders.c.path));

/** What each `<img>` of `path` (50 `<cached-profile-picture>`) had once all showed: src, srcset, alt and style. */
async function shownBy(path: string): Promise<string[][]> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${proxy.base}${path}`);
  await page.evaluate(() => (window as unknown as { measure(): Promise<Measured> }).measure());
  const shown = await page.evaluate(() =>
    [...document.querySelectorAll('cached-profile-picture')].map((tag) => {
      const img = tag.shadowRoot!.querySelector('img')!;
      return ['src', 'srcset', 'alt', 'style'].map((name) => img.getAttribute(name) ?? '');
    }),
  );
  await context.close();
  return shown;
}

const PHASES = ['cold', 'again', 'reload', 'offline'] as const;
type Phase = (typeof PHASES)[number];
/** One phase of one run, or the medians of all runs: `ms` is null when not all 50 showed by the deadline. */
interface Sample {
  ms: number | null;
  shown: number;
  requests: number;
  bytes: number;
  sourced: number | null;
}

async function measure(page: Page): Promise<Sample> {
  proxy.forwarded.length = 0;
  proxy.bytes = 0;
  // A page that did not load (offline with nothing to serve it) shows nothing.
  const {
    ms,
    shown,
    sourced = null,
  } = await page
    .evaluate(() => (window as unknown as { measure?(): Promise<Measured> }).measure?.() ?? { ms: null, shown: 0 })
    .catch((): Measured => ({ ms: null, shown: 0 }));
  // Idle-time work (the Blobs kept for offline, written within 2 s) counts too, and is done before the next phase:
  // a time, as the plain pages have no such work to await.
  await sleep(2_500);
  return { ms, shown, sourced, requests: proxy.forwarded.length, bytes: proxy.bytes };
}

async function session(context: BrowserContext, path: string): Promise<Record<Phase, Sample>> {
  const page = await context.newPage();
  await page.goto(`${proxy.base}${path}`);
  const cold = await measure(page);
  const again = await measure(page);
  await page.reload();
  const reload = await measure(page);
  await context.setOffline(true);
  await page.reload().catch(() => undefined);
  const offline = await measure(page);
  return { cold, again, reload, offline };
}

const samples = Object.fromEntries(
  Object.keys(contenders).map((k) => [k, Object.fromEntries(PHASES.map((p) => [p, [] as Sample[]]))]),
) as Record<Contender, Record<Phase, Sample[]>>;
// Contenders take turns within each run, so a slow moment of the machine falls on all of them alike.
for (let run = 0; run < RUNS; run++) {
  for (const [key, contender] of Object.entries(contenders) as [Contender, (typeof contenders)[Contender]][]) {
    const context = await browser.newContext();
    const result = await session(context, contender.path);
    for (const phase of PHASES) samples[key][phase].push(result[phase]);
    await context.close();
  }
}
await browser.close();
await proxy.close();
await service.stop();

const figures = Object.fromEntries(
  Object.entries(samples).map(([key, phases]) => {
    const byPhase = Object.fromEntries(
      PHASES.map((phase) => {
        const s = phases[phase];
        const sourced = s.every((x) => x.sourced !== null) ? median(s.map((x) => x.sourced!)) : null;
        return [
          phase,
          {
            ms: medianMs(s),
            shown: median(s.map((x) => x.shown)),
            requests: median(s.map((x) => x.requests)),
            bytes: median(s.map((x) => x.bytes)),
            sourced,
          },
        ];
      }),
    ) as Record<Phase, Sample>;
    // Hit rate: of the requests a cold page of this contender makes, the share a later visit did not make.
    const later = [byPhase.again, byPhase.reload];
    const hitRate = 1 - later.reduce((n, p) => n + p.requests, 0) / (byPhase.cold.requests * later.length);
    const bytes = byPhase.cold.bytes + byPhase.again.bytes + byPhase.reload.bytes;
    return [key, { ...byPhase, hitRate, bytes }];
  }),
) as Record<Contender, Record<Phase, Sample> & { hitRate: number; bytes: number }>;

if (process.argv.includes('--json')) {
  console.log(
    JSON.stringify(
      { runs: RUNS, pictures: USERS.length, pictureBytes: median(metas.map((m) => m.bytes)), contenders: figures },
      null,
      2,
    ),
  );
  process.exit(0);
}

// The headline as a chart for docs/benchmarks.md (log scale: the phases span 2 ms to a second).
const chartPhases = [
  ['First load', 'cold'],
  ['Same page again', 'again'],
  ['After a reload', 'reload'],
] as const;
const chart = barChartSvg(
  `Time to show 50 pictures, medians of ${RUNS} runs (Chromium, loopback; log scale)`,
  chartPhases.map(([label, phase]) => ({
    label,
    bars: (Object.entries(contenders) as [Contender, (typeof contenders)[Contender]][]).map(([key, contender]) => ({
      name: contender.name.replace(/`/g, ''),
      ms: figures[key][phase].ms,
    })),
  })),
);
await writeFile(new URL('../docs/benchmarks-headline.svg', import.meta.url), chart);

const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;
const time = (p: { ms: number | null; shown: number }) =>
  p.ms === null ? `${p.shown} of 50 shown` : `${p.ms.toFixed(1)} ms`;
const phaseCell = (p: Sample) => `${time(p)}, ${p.requests} req, ${kb(p.bytes)}`;
console.log(
  `50 pictures (96×96 PNGs uploaded, served as WebP copies; the 96-px copy ~${kb(median(metas.map((m) => m.bytes)))}), Chromium, loopback; medians of ${RUNS} runs\n`,
);
console.log('| contender | cold | same page again | reload | offline after a reload |\n|---|---|---|---|---|');
for (const [key, contender] of Object.entries(contenders) as [Contender, (typeof contenders)[Contender]][]) {
  const f = figures[key];
  console.log(`| ${contender.name} | ${PHASES.map((p) => phaseCell(f[p])).join(' | ')} |`);
}

// The original guide's "Expected Results", with what we measured: ours against each peer.
const c = figures.c;
const faster = (peer: number | null, ours: number | null) =>
  peer === null || ours === null ? '—' : `${(peer / ours).toFixed(1)}×`;
const rows: [string, (f: (typeof figures)[Contender]) => string, (peer: (typeof figures)[Contender]) => string][] = [
  ['First load', (f) => time(f.cold), (p) => faster(p.cold.ms, c.cold.ms)],
  ['Repeat (same page)', (f) => time(f.again), (p) => faster(p.again.ms, c.again.ms)],
  ['After refresh', (f) => time(f.reload), (p) => faster(p.reload.ms, c.reload.ms)],
  [
    'Offline after refresh',
    (f) => `${f.offline.shown} of 50`,
    (p) => `${figures.cw.offline.shown} vs ${p.offline.shown}`,
  ],
  [
    'Cache hit rate (repeat, refresh)',
    (f) => `${(f.hitRate * 100).toFixed(0)}%`,
    (p) => `${((c.hitRate - p.hitRate) * 100).toFixed(0)} points`,
  ],
  ['Bandwidth (cold + repeat + refresh)', (f) => kb(f.bytes), (p) => `${((c.bytes / p.bytes) * 100).toFixed(0)}%`],
];
console.log(
  '\n| metric | (a) | (b) | (b0) | (c) ours | (c) with its worker | (c) vs (a) | (c) vs (b) | (c) vs (b0) |\n|---|---|---|---|---|---|---|---|---|',
);
for (const [metric, value, versus] of rows) {
  const peers = ['a', 'b', 'b0'] as const;
  console.log(
    `| ${metric} | ${[...peers, 'c' as const, 'cw' as const].map((k) => value(figures[k])).join(' | ')} | ${peers.map((k) => versus(figures[k])).join(' | ')} |`,
  );
}
console.log(
  '\n"×" is how many times faster (c) is; offline compares (c) with its worker; bandwidth is (c)\'s bytes as a share of the peer\'s.',
);
const floor = figures.lit;
const againstFloor = (f: (typeof figures)[Contender]) =>
  `cold ${faster(c.cold.ms, f.cold.ms)}, same page again ${faster(c.again.ms, f.again.ms)}, reload ${faster(c.reload.ms, f.reload.ms)} its time`;
console.log(
  `(c) against the floor of a Lit element showing known URLs: ${againstFloor(floor)}; against that floor rendering (c)'s markup and styles: ${againstFloor(figures.litMarkup)}.`,
);
// The same, run by run: each ratio of (c) and the floor measured in one run, a moment of the machine shared.
const byRun = (key: Contender) =>
  (['again', 'reload'] as const)
    .map((phase) => `${phase} ${ratiosText(ratiosByRun(samples.c[phase], samples[key][phase]))}`)
    .join(', ');
console.log(
  `Run by run, (c)'s time over the Lit floor's: ${byRun('lit')}; over the floor with its markup: ${byRun('litMarkup')}.`,
);
const srcs = (f: (typeof figures)[Contender]) =>
  PHASES.slice(0, 3)
    .map((p) => `${p} ${f[p].sourced === null ? '—' : `${f[p].sourced!.toFixed(1)} ms`}`)
    .join(', ');
console.log(`Every <img> had its src, from creating the 50 tags: (c) ${srcs(c)}; the floor ${srcs(floor)}.`);
