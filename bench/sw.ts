// `npm run bench:sw`: what the service worker costs on the fast path and what it buys. The same 50 pictures, with
// and without the worker, in one run, taking turns: the time from navigation start until all 50 are decoded, for
// `<cached-profile-picture>` tags (the worker for pictures only, and also precaching the page) and for plain `<img>`
// tags on known URLs. Phases: a reload (after a first one: the steady state), the page in a new tab (a fresh
// renderer, whose memory cache is empty: the HTTP cache or the worker answers), a reload with the browser's HTTP and
// memory caches cleared, and that offline. Medians of BENCH_RUNS runs, each in a fresh profile. `--json` prints the
// figures as JSON instead of the tables.
import type { Page } from 'playwright-core';
import { noisyPng } from '../backend/testing/images.ts';
import type { PictureMeta } from '../contract/picture.ts';
import { sleep, until } from '../scripts/testing/wait.ts';
import { controlled, startSite, upload, workerStats } from '../sw/testing/site.ts';
import { median, medianMs } from './stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const USERS = Array.from({ length: 50 }, (_, i) => `friend${i}`);
/** How long a reload may take before the pictures not shown by then count as not shown (offline, mostly). */
const DEADLINE_MS = 5_000;
/** The target: a reload with the worker within this factor of the same reload without it. */
const TARGET_RATIO = 1.25;

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

/** Plain images on URLs the page knows; with the worker, a site's own registration of it. */
const imgPage = (urls: string[], worker: boolean) => `<!doctype html><meta charset="utf-8">
${worker ? `<script type="module">import { swManager } from '/sw-registration.js'; swManager.register();</script>` : ''}
${watch(`[...document.images]`)}
<body><div style="display:flex;flex-wrap:wrap;gap:2px">${urls.map((src) => `<img src="${src}" width="48" height="48" alt="">`).join('')}</div>`;

const metas: PictureMeta[] = [];
const pages: Record<string, string> = {
  '/tags.html': tagsPage(''),
  '/tags-sw.html': tagsPage(' service-worker="/sw.js"'),
  '/tags-offline.html': tagsPage(' service-worker="/sw.js?precache=/tags-offline.html"'),
};
const site = await startSite(pages);
for (const [i, id] of USERS.entries()) metas.push(await upload(site.service.base, id, noisyPng(i + 1)));
const paths = metas.map((meta) => new URL(meta.url, site.service.base).pathname);
Object.assign(pages, { '/img.html': imgPage(paths, false), '/img-sw.html': imgPage(paths, true) });

const contenders = {
  tags: { name: '`<cached-profile-picture>`', path: '/tags.html', worker: false },
  tagsWorker: { name: '`<cached-profile-picture>`, worker', path: '/tags-sw.html', worker: true },
  tagsOffline: {
    name: '`<cached-profile-picture>`, worker precaching the page',
    path: '/tags-offline.html',
    worker: true,
  },
  img: { name: 'plain `<img>`, known URLs', path: '/img.html', worker: false },
  imgWorker: { name: 'plain `<img>`, known URLs, worker', path: '/img-sw.html', worker: true },
} as const;
type Contender = keyof typeof contenders;
const PHASES = ['reload', 'newTab', 'cleared', 'offline'] as const;
type Phase = (typeof PHASES)[number];
/** One phase of one run: `ms` is null when not all 50 showed by the deadline. */
interface Sample {
  ms: number | null;
  requests: number;
}

/** Reloads `page` (or, with `url`, opens it there) and measures until all 50 pictures are decoded. */
async function load(page: Page, url?: string): Promise<Sample> {
  site.proxy.forwarded.length = 0;
  await (url ? page.goto(url) : page.reload()).catch(() => undefined);
  // A page that did not load (offline with nothing to serve it) shows nothing.
  const ms = await page
    .waitForFunction(() => (window as unknown as { shownAt?: number | null }).shownAt !== undefined, undefined, {
      timeout: DEADLINE_MS * 2,
    })
    .then(
      () => page.evaluate(() => (window as unknown as { shownAt: number | null }).shownAt),
      () => null,
    );
  return { ms, requests: site.proxy.forwarded.filter((line) => line.includes('/images/')).length };
}

async function session(path: string, worker: boolean): Promise<Record<Phase, Sample>> {
  const url = `${site.proxy.base}${path}`;
  const context = await site.browser.newContext();
  let page = await context.newPage();
  await load(page, url);
  if (worker) {
    await controlled(page);
    await until(
      async () => (await workerStats(page)).totalEntries === 50,
      'the worker to keep the 50 pictures',
      15_000,
    );
  }
  // The first reload under a new worker goes through it even for images the page has decoded (they came without
  // it); from the next one on, a reload is what a visitor gets. Idle work (kept Blobs, the worker's writes) settles:
  // a time, as the pages without the worker or the element have no such work to await.
  await load(page);
  await sleep(1_000);
  const result = { reload: await load(page) } as Record<Phase, Sample>;
  await page.close();
  page = await context.newPage();
  result.newTab = await load(page, url);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  result.cleared = await load(page);
  await cdp.send('Network.clearBrowserCache');
  await context.setOffline(true);
  result.offline = await load(page);
  await context.close();
  return result;
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

const shown = (s: Sample[]) => s.filter((x) => x.ms !== null).length;
const figures = Object.fromEntries(
  Object.entries(samples).map(([key, phases]) => [
    key,
    Object.fromEntries(
      PHASES.map((phase) => [
        phase,
        {
          ms: medianMs(phases[phase]),
          requests: median(phases[phase].map((x) => x.requests)),
          runsAllShown: shown(phases[phase]),
        },
      ]),
    ),
  ]),
) as Record<Contender, Record<Phase, { ms: number | null; requests: number; runsAllShown: number }>>;
const ratio = (withWorker: Contender, without: Contender, phase: Phase) => {
  const [a, b] = [figures[withWorker][phase].ms, figures[without][phase].ms];
  return a === null || b === null ? null : a / b;
};
const ratios = Object.fromEntries(
  (['reload', 'newTab'] as const).map((phase) => [
    phase,
    {
      tags: ratio('tagsWorker', 'tags', phase),
      tagsPrecaching: ratio('tagsOffline', 'tags', phase),
      img: ratio('imgWorker', 'img', phase),
    },
  ]),
);

if (process.argv.includes('--json')) {
  console.log(
    JSON.stringify(
      { runs: RUNS, pictures: USERS.length, targetRatio: TARGET_RATIO, ratios, contenders: figures },
      null,
      2,
    ),
  );
  process.exit(0);
}

const cell = (f: { ms: number | null; requests: number; runsAllShown: number }) =>
  `${f.ms === null ? `all 50 in ${f.runsAllShown} of ${RUNS} runs` : `${f.ms.toFixed(1)} ms`}, ${f.requests} req`;
console.log(
  `50 pictures (96×96 PNG), Chromium, loopback: ms from navigation start until all 50 are decoded, and the picture requests that reached the server; medians of ${RUNS} runs\n`,
);
console.log(
  '| page | reload | the page in a new tab | reload, HTTP and memory caches cleared | offline reload, caches cleared |\n|---|---|---|---|---|',
);
for (const [key, contender] of Object.entries(contenders) as [Contender, (typeof contenders)[Contender]][]) {
  console.log(`| ${contender.name} | ${PHASES.map((phase) => cell(figures[key][phase])).join(' | ')} |`);
}
const verdict = (r: number | null) =>
  r === null ? 'not measured' : `${r.toFixed(2)}× (target ≤ ${TARGET_RATIO}×: ${r <= TARGET_RATIO ? 'met' : 'missed'})`;
for (const [phase, r] of Object.entries(ratios)) {
  console.log(
    `\n${phase === 'reload' ? 'Reload' : 'New tab'}, with the worker against without: tags ${verdict(r.tags)}; tags with the page precached ${verdict(r.tagsPrecaching)}; plain images ${verdict(r.img)}.`,
  );
}
