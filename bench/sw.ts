// `npm run bench:sw`: what the service worker costs and what it buys, beside Workbox set up as a site would for
// avatars (CacheFirst with an ExpirationPlugin on the pictures, the page precached). The same 50 pictures, with and
// without a worker, in one run, taking turns, each run in a fresh profile; medians of BENCH_RUNS runs. Phases, each
// with where its pictures come from (the bench counts those a worker answered):
// - reload: a second reload. Chromium's memory cache answers the pictures, so this is the page's own path;
// - pictures: a reload with the renderer's memory cache emptied, so every picture goes through the running worker
//   (the HTTP cache without one): from the first picture request until all 50 are decoded;
// - new tab: the page in a new tab, a new renderer with an empty memory cache;
// - cold start: the worker stopped, then a reload with the memory cache emptied: the page delivered (the navigation's
//   responseEnd), and all 50 decoded;
// - cleared: a reload with the browser's HTTP and memory caches cleared; offline: that with the network down.
// `--json` prints the figures as JSON; `--profile` traces the two workers' cold starts instead (coldStartPhases).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { BrowserContext, Page } from 'playwright-core';
import { noisyPng } from '../backend/testing/images.ts';
import { sleep, until } from '../scripts/testing/wait.ts';
import { COLD_START_CATEGORIES, coldStartPhases, type ColdStartPhases } from '../sw/testing/cold-start-trace.ts';
import { controlled, emptyMemoryCache, startSite, stopWorkers, upload, workerStats } from '../sw/testing/site.ts';
import { median, medianMs } from './stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const USERS = Array.from({ length: 50 }, (_, i) => `friend${i}`);
/** How long a load may take before the pictures not shown by then count as not shown (offline, mostly). */
const DEADLINE_MS = 5_000;
/** The target: a reload with the worker within this factor of the same reload without it. */
const TARGET_RATIO = 1.25;
/** Targets against Workbox: the page at a cold start no slower, the picture path faster. */
const WORKBOX_TARGETS = { coldPage: 1.0, pictures: 1.0 };
const dist = new URL('../dist/', import.meta.url);

/** The Workbox worker: its modules at the versions installed, the page precached, the cache bounded as ours is. */
const WORKBOX_SCRIPT = 'bench-workbox-sw.js';
const WORKBOX_SOURCE = `
import { clientsClaim } from 'workbox-core';
import { ExpirationPlugin } from 'workbox-expiration';
import { precacheAndRoute } from 'workbox-precaching';
import { registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';
self.skipWaiting();
clientsClaim();
precacheAndRoute([{ url: '/img-workbox.html', revision: '1' }]);
registerRoute(
  ({ url }) => url.origin === self.location.origin && url.pathname.startsWith('/images/'),
  new CacheFirst({
    cacheName: 'pictures',
    plugins: [new ExpirationPlugin({ maxEntries: 200, maxAgeSeconds: 7 * 24 * 60 * 60, purgeOnQuotaError: true })],
  }),
);`;

/** Records `window.shownAt`: ms from navigation start until every picture on the page is decoded. */
const watch = (pictures: string) => `<script>
const pictures = () => ${pictures};
const check = () => {
  const imgs = pictures();
  if (imgs.length === 50 && imgs.every((img) => img && img.complete && img.naturalWidth > 0)) window.shownAt = performance.now();
  else if (performance.now() < ${DEADLINE_MS}) requestAnimationFrame(check);
  else window.shownAt = null;
};
requestAnimationFrame(check);
</script>`;

const tagsPage = (
  worker: string,
) => `<!doctype html><meta charset="utf-8"><script type="module" src="/cached-profile-picture.js"></script>
${watch(`[...document.querySelectorAll('cached-profile-picture')].map((el) => el.shadowRoot?.querySelector('img'))`)}
<picture-store-provider${worker}><div style="display:flex;flex-wrap:wrap;gap:2px">
${USERS.map((id) => `<cached-profile-picture user-id="${id}" label="${id}" size="48"></cached-profile-picture>`).join('\n')}
</div></picture-store-provider>`;

/** Plain images on URLs the page knows, and the script that registers its worker, if any. */
const imgPage = (urls: string[], register: string) => `<!doctype html><meta charset="utf-8">${register}
${watch(`[...document.images]`)}
<body><div style="display:flex;flex-wrap:wrap;gap:2px">${urls.map((src) => `<img src="${src}" width="48" height="48" alt="">`).join('')}</div>`;

const workbox = (
  await build({
    stdin: { contents: WORKBOX_SOURCE, resolveDir: new URL('.', import.meta.url).pathname, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2022',
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
  })
).outputFiles[0]!.contents;
const scriptSizes = {
  ours: gzipSync(readFileSync(new URL('sw.js', dist)), { level: 9 }).length,
  workbox: gzipSync(workbox, { level: 9 }).length,
};

const pages: Record<string, string> = {
  [`/${WORKBOX_SCRIPT}`]: Buffer.from(workbox).toString(),
  '/tags.html': tagsPage(''),
  '/tags-sw.html': tagsPage(' service-worker="/sw.js"'),
  '/tags-offline.html': tagsPage(' service-worker="/sw.js?precache=/tags-offline.html"'),
};
const site = await startSite(pages);
const metas = [];
for (const [i, id] of USERS.entries()) metas.push(await upload(site.service.base, id, noisyPng(i + 1)));
const paths = metas.map((meta) => new URL(meta.url, site.service.base).pathname);
Object.assign(pages, {
  '/img.html': imgPage(paths, ''),
  '/img-sw.html': imgPage(
    paths,
    `<script type="module">import { swManager } from '/sw-registration.js'; swManager.register({ precache: ['/img-sw.html'] });</script>`,
  ),
  '/img-workbox.html': imgPage(paths, `<script>navigator.serviceWorker.register('/${WORKBOX_SCRIPT}');</script>`),
});
// Workbox fetches a precached page under its revision.
pages['/img-workbox.html?__WB_REVISION__=1'] = pages['/img-workbox.html']!;

type Worker = 'none' | 'ours' | 'workbox';
const contenders = {
  tags: { name: '`<cached-profile-picture>`', path: '/tags.html', worker: 'none' },
  tagsWorker: { name: '`<cached-profile-picture>`, worker', path: '/tags-sw.html', worker: 'ours' },
  tagsOffline: {
    name: '`<cached-profile-picture>`, worker precaching the page',
    path: '/tags-offline.html',
    worker: 'ours',
  },
  img: { name: 'plain `<img>`, known URLs', path: '/img.html', worker: 'none' },
  imgWorker: { name: 'plain `<img>`, worker precaching the page', path: '/img-sw.html', worker: 'ours' },
  imgWorkbox: {
    name: 'plain `<img>`, Workbox precaching the page',
    path: '/img-workbox.html',
    worker: 'workbox',
  },
} as const satisfies Record<string, { name: string; path: string; worker: Worker }>;
type Contender = keyof typeof contenders;
const PHASES = ['reload', 'pictures', 'newTab', 'cold', 'cleared', 'offline'] as const;
type Phase = (typeof PHASES)[number];
/** One load: `ms` (navigation start to all 50 decoded) and `pictures` are null when not all 50 showed in time. */
interface Sample {
  ms: number | null;
  /** From the first picture request until all 50 are decoded. */
  pictures: number | null;
  /** The navigation's responseEnd: the page delivered. */
  page: number | null;
  /** Picture requests that reached the server. */
  requests: number;
  /** Pictures a worker answered (their Resource Timing has a workerStart). */
  viaWorker: number;
}

/** Reloads `page` (or, with `url`, opens it there) and measures until all 50 pictures are decoded. */
async function load(page: Page, url?: string): Promise<Sample> {
  site.proxy.forwarded.length = 0;
  await (url ? page.goto(url) : page.reload()).catch(() => undefined);
  // A page that did not load (offline with nothing to serve it) shows nothing.
  const shown = await page
    .waitForFunction(() => (window as unknown as { shownAt?: number | null }).shownAt !== undefined, undefined, {
      timeout: DEADLINE_MS * 2,
    })
    .then(
      () =>
        page.evaluate(() => {
          const shownAt = (window as unknown as { shownAt: number | null }).shownAt;
          const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
          const images = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((entry) =>
            entry.name.includes('/images/'),
          );
          const firstRequest = Math.min(...images.map((entry) => entry.startTime));
          return {
            ms: shownAt,
            pictures: shownAt === null || !images.length ? null : shownAt - firstRequest,
            page: navigation?.responseEnd ?? null,
            viaWorker: images.filter((entry) => entry.workerStart > 0).length,
          };
        }),
      () => ({ ms: null, pictures: null, page: null, viaWorker: 0 }),
    );
  return { ...shown, requests: site.proxy.forwarded.filter((line) => line.includes('/images/')).length };
}

/** Whether the worker keeps all 50 pictures: ours says so; Workbox's is asked through its cache. */
async function keepsAll(page: Page, worker: Worker): Promise<boolean> {
  if (worker === 'ours') return (await workerStats(page)).totalEntries === USERS.length;
  const kept = await page.evaluate(async () => (await (await caches.open('pictures')).keys()).length);
  return kept === USERS.length;
}

/** A context with the contender's page open, its worker (if any) in control and keeping the 50 pictures. */
async function settled(path: string, worker: Worker): Promise<{ context: BrowserContext; page: Page }> {
  const context = await site.browser.newContext();
  const page = await context.newPage();
  await load(page, `${site.proxy.base}${path}`);
  if (worker !== 'none') {
    await controlled(page);
    // The first reload under a new worker goes through it even for images the page has decoded (they came without
    // it), so Workbox keeps them then; ours keeps those the page showed before it came.
    await load(page);
    await until(() => keepsAll(page, worker), 'the worker to keep the 50 pictures', 15_000);
  }
  // Idle work (kept Blobs, the worker's writes) settles: a time, as the pages without the worker or the element have
  // no such work to await.
  await sleep(1_000);
  return { context, page };
}

async function session(path: string, worker: Worker): Promise<Record<Phase, Sample>> {
  const url = `${site.proxy.base}${path}`;
  const { context, page } = await settled(path, worker);
  const result = { reload: await load(page) } as Record<Phase, Sample>;
  let cdp = await context.newCDPSession(page);
  await emptyMemoryCache(cdp);
  result.pictures = await load(page);
  await page.close();
  const tab = await context.newPage();
  result.newTab = await load(tab, url);
  cdp = await context.newCDPSession(tab);
  if (worker !== 'none') await stopWorkers(cdp);
  await emptyMemoryCache(cdp);
  result.cold = await load(tab);
  await cdp.send('Network.clearBrowserCache');
  await emptyMemoryCache(cdp);
  result.cleared = await load(tab);
  await cdp.send('Network.clearBrowserCache');
  await emptyMemoryCache(cdp);
  await context.setOffline(true);
  result.offline = await load(tab);
  await context.close();
  return result;
}

/** The phases of a traced cold start of the contender's worker, one per run, taking turns. */
async function profile(): Promise<void> {
  const traced = ['imgWorker', 'imgWorkbox'] as const;
  const runs = Object.fromEntries(traced.map((key) => [key, [] as ColdStartPhases[]])) as Record<
    (typeof traced)[number],
    ColdStartPhases[]
  >;
  for (let run = 0; run < RUNS; run++) {
    for (const key of traced) {
      const { context, page } = await settled(contenders[key].path, contenders[key].worker);
      await stopWorkers(await context.newCDPSession(page));
      await site.browser.startTracing(undefined, { categories: COLD_START_CATEGORIES });
      await load(page);
      runs[key].push(coldStartPhases(await site.browser.stopTracing()));
      await context.close();
    }
  }
  const phases = Object.keys(runs.imgWorker[0]!) as (keyof ColdStartPhases)[];
  const cell = (values: (number | undefined)[]) => {
    const known = values.filter((ms) => ms !== undefined);
    return known.length * 2 > values.length ? median(known).toFixed(1) : '–';
  };
  console.log(
    `Cold start of the worker, traced (Chromium tracing adds its own time): ms from navigation start, medians of ${RUNS} runs\n`,
  );
  console.log(`| phase | ${traced.map((key) => contenders[key].name).join(' | ')} |\n|---|---|---|`);
  for (const phase of phases)
    console.log(`| ${phase} | ${traced.map((key) => cell(runs[key].map((run) => run[phase]))).join(' | ')} |`);
}

if (process.argv.includes('--profile')) {
  await profile();
  await site.stop();
  process.exit(0);
}

const samples = Object.fromEntries(
  Object.keys(contenders).map((k) => [k, Object.fromEntries(PHASES.map((p) => [p, [] as Sample[]]))]),
) as Record<Contender, Record<Phase, Sample[]>>;
// Contenders take turns within each run, so a slow moment of the machine falls on all of them alike.
for (let run = 0; run < RUNS; run++) {
  for (const [key, contender] of Object.entries(contenders) as [Contender, (typeof contenders)[Contender]][]) {
    const result = await session(contender.path, contender.worker);
    for (const phase of PHASES) samples[key][phase].push(result[phase]);
  }
}
await site.stop();

/** A phase's medians over the runs. */
interface Figures {
  ms: number | null;
  pictures: number | null;
  page: number | null;
  requests: number;
  viaWorker: number;
  runsAllShown: number;
}
const shown = (s: Sample[]) => s.filter((x) => x.ms !== null).length;
const figures = Object.fromEntries(
  Object.entries(samples).map(([key, phases]) => [
    key,
    Object.fromEntries(
      PHASES.map((phase) => [
        phase,
        {
          ms: medianMs(phases[phase]),
          pictures: medianMs(phases[phase].map((x) => ({ ms: x.pictures }))),
          page: medianMs(phases[phase].map((x) => ({ ms: x.page }))),
          requests: median(phases[phase].map((x) => x.requests)),
          viaWorker: median(phases[phase].map((x) => x.viaWorker)),
          runsAllShown: shown(phases[phase]),
        },
      ]),
    ),
  ]),
) as Record<Contender, Record<Phase, Figures>>;
const ratio = (a: number | null, b: number | null) => (a === null || b === null ? null : a / b);
const ratios = Object.fromEntries(
  (['reload', 'pictures', 'newTab'] as const).map((phase) => [
    phase,
    {
      tags: ratio(figures.tagsWorker[phase].ms, figures.tags[phase].ms),
      tagsPrecaching: ratio(figures.tagsOffline[phase].ms, figures.tags[phase].ms),
      img: ratio(figures.imgWorker[phase].ms, figures.img[phase].ms),
    },
  ]),
);
const againstWorkbox = {
  coldPage: ratio(figures.imgWorker.cold.page, figures.imgWorkbox.cold.page),
  pictures: ratio(figures.imgWorker.pictures.pictures, figures.imgWorkbox.pictures.pictures),
};

if (process.argv.includes('--json')) {
  console.log(
    JSON.stringify(
      {
        runs: RUNS,
        pictures: USERS.length,
        scriptGzipBytes: scriptSizes,
        targetRatio: TARGET_RATIO,
        ratios,
        againstWorkbox,
        contenders: figures,
      },
      null,
      2,
    ),
  );
  process.exit(0);
}

const ms = (value: number | null, f: Figures) =>
  value === null ? `all 50 in ${f.runsAllShown} of ${RUNS} runs` : `${value.toFixed(1)} ms`;
const cells: Record<Phase, (f: Figures) => string> = {
  reload: (f) => `${ms(f.ms, f)}, ${f.viaWorker} via the worker`,
  pictures: (f) => `${ms(f.pictures, f)}, ${f.viaWorker} via the worker, ${f.requests} req`,
  newTab: (f) => `${ms(f.ms, f)}, ${f.viaWorker} via the worker`,
  cold: (f) => `${f.page === null ? '–' : `${f.page.toFixed(1)} ms`}; all 50: ${ms(f.ms, f)}`,
  cleared: (f) => `${ms(f.ms, f)}, ${f.requests} req`,
  offline: (f) => ms(f.ms, f),
};
console.log(
  `50 pictures (96×96 PNG), Chromium, loopback; medians of ${RUNS} runs. ms from navigation start until all 50 are decoded, except "pictures" (from the first picture request) and the cold start's page (the navigation's responseEnd); "via the worker": pictures a worker answered; "req": picture requests that reached the server\n`,
);
console.log(
  '| page | reload (pictures from the memory cache) | pictures (memory cache emptied) | the page in a new tab | worker stopped: page delivered; all 50 | reload, HTTP and memory caches cleared | offline reload, caches cleared |\n|---|---|---|---|---|---|---|',
);
for (const [key, contender] of Object.entries(contenders) as [Contender, (typeof contenders)[Contender]][]) {
  console.log(`| ${contender.name} | ${PHASES.map((phase) => cells[phase](figures[key][phase])).join(' | ')} |`);
}
const verdict = (r: number | null, target: number) =>
  r === null ? 'not measured' : `${r.toFixed(2)}× (target ≤ ${target}×: ${r <= target ? 'met' : 'missed'})`;
const phaseNames = { reload: 'Reload', pictures: 'Pictures', newTab: 'New tab' };
for (const [phase, r] of Object.entries(ratios) as [keyof typeof phaseNames, (typeof ratios)[string]][]) {
  console.log(
    `\n${phaseNames[phase]}, with the worker against without: tags ${verdict(r.tags, TARGET_RATIO)}; tags with the page precached ${verdict(r.tagsPrecaching, TARGET_RATIO)}; plain images ${verdict(r.img, TARGET_RATIO)}.`,
  );
}
console.log(
  `\nOurs against Workbox (plain images, the page precached): cold start, page delivered ${verdict(againstWorkbox.coldPage, WORKBOX_TARGETS.coldPage)}; picture path ${verdict(againstWorkbox.pictures, WORKBOX_TARGETS.pictures)}. Worker script: ${(scriptSizes.ours / 1024).toFixed(1)} KB gzip against ${(scriptSizes.workbox / 1024).toFixed(1)} KB.`,
);
