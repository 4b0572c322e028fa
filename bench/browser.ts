// `npm run bench:browser`: 50 profile pictures in Chromium, ours against what a site gets without us (the "Peers"
// of the project's measurements): (b) plain <img> on immutable URLs with one metadata request per user, and (b0)
// plain <img> on immutable URLs the page already knows. For each: the time from connecting 50 tags (or starting
// to ask) to all 50 decoded, and the requests that reached the server, cold, in the same page again, and after a
// reload. Medians of RUNS runs, each cold run in a fresh browser profile.
import { chromium, type Page } from 'playwright-core';
import type { PictureMeta } from '../contract/picture.ts';
import { noisyPng } from '../backend/testing/images.ts';
import { startEmbedded } from '../backend/testing/stack.ts';
import { TEST_ADMIN_TOKEN } from '../backend/testing/tokens.ts';
import { startCountingProxy } from '../elements/testing/counting-proxy.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const USERS = Array.from({ length: 50 }, (_, i) => `friend${i}`);

/** Waits for 50 decoded images in `root` (a function of the page), then reports the ms since `start`. */
const waitForAll = `
  function decoded(imgs) { return imgs.length === 50 && imgs.every((img) => img && img.complete && img.naturalWidth > 0); }
  function untilDecoded(list, start) {
    return new Promise((resolve) => {
      const check = () => (decoded(list()) ? resolve(performance.now() - start) : requestAnimationFrame(check));
      check();
    });
  }`;

/** Ours: one script tag; each measurement connects 50 tags anew. */
const oursPage = `<!doctype html><meta charset="utf-8"><script type="module" src="/cached-profile-picture.js"></script>
<body><div id="list" style="display:flex;flex-wrap:wrap;gap:2px"></div><script type="module">
${waitForAll}
const users = ${JSON.stringify(USERS)};
window.measure = async () => {
  await customElements.whenDefined('cached-profile-picture');
  const list = document.getElementById('list');
  list.replaceChildren();
  const start = performance.now();
  const tags = users.map((id) => Object.assign(document.createElement('cached-profile-picture'), { userId: id, label: id, size: 48 }));
  list.append(...tags);
  await Promise.all(tags.map((t) => t.updateComplete));
  const sourced = tags.every((t) => t.shadowRoot.querySelector('img')?.getAttribute('src')) ? performance.now() - start : null;
  const ms = await untilDecoded(() => tags.map((t) => t.shadowRoot.querySelector('img')), start);
  return { ms, sourced };
};
</script>`;

/** (b): the page asks which picture is current, once per user, then shows plain <img>. */
const peerB = `<!doctype html><meta charset="utf-8"><body><div id="list"></div><script type="module">
${waitForAll}
const users = ${JSON.stringify(USERS)};
window.measure = async () => {
  const list = document.getElementById('list');
  list.replaceChildren();
  const start = performance.now();
  const imgs = await Promise.all(users.map(async (id) => {
    const meta = await (await fetch('/api/pictures/' + id)).json();
    const img = Object.assign(new Image(48, 48), { src: meta.url, alt: id });
    list.append(img);
    return img;
  }));
  return { ms: await untilDecoded(() => imgs, start), sourced: null };
};
</script>`;

/** (b0): the page already knows every immutable URL. */
const peerB0 = (urls: string[]) => `<!doctype html><meta charset="utf-8"><body><div id="list"></div><script type="module">
${waitForAll}
const urls = ${JSON.stringify(urls)};
window.measure = async () => {
  const list = document.getElementById('list');
  list.replaceChildren();
  const start = performance.now();
  const imgs = urls.map((src, i) => Object.assign(new Image(48, 48), { src, alt: 'friend' + i }));
  list.append(...imgs);
  return { ms: await untilDecoded(() => imgs, start), sourced: null };
};
</script>`;

const service = await startEmbedded('node');
const metas: PictureMeta[] = [];
for (const [i, id] of USERS.entries()) {
  const res = await fetch(`${service.base}/api/pictures/${id}`, { method: 'PUT', body: noisyPng(i + 1), headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
  metas.push((await res.json()) as PictureMeta);
}
const proxy = await startCountingProxy(service.base, { '/ours.html': oursPage, '/b.html': peerB, '/b0.html': peerB0(metas.map((m) => new URL(m.url).pathname)) });
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });

type Phase = 'cold' | 'again' | 'reload';
interface Sample { ms: number; sourced: number | null; requests: number }

async function measure(page: Page): Promise<Sample> {
  proxy.forwarded.length = 0;
  const { ms, sourced } = await page.evaluate(() => (window as unknown as { measure(): Promise<{ ms: number; sourced: number | null }> }).measure());
  // Idle-time work (the Blobs kept for offline, written within 2 s) counts too, and is done before the next phase.
  await page.waitForTimeout(2_500);
  return { ms, sourced, requests: proxy.forwarded.length };
}

async function run(path: string): Promise<Record<Phase, Sample[]>> {
  const samples: Record<Phase, Sample[]> = { cold: [], again: [], reload: [] };
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${proxy.base}${path}`);
    samples.cold.push(await measure(page));
    samples.again.push(await measure(page));
    await page.reload();
    samples.reload.push(await measure(page));
    await context.close();
  }
  return samples;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results = { ours: await run('/ours.html'), b: await run('/b.html'), b0: await run('/b0.html') };
await browser.close();
await proxy.close();
await service.stop();

const cell = (s: Sample[]) => `${median(s.map((x) => x.ms)).toFixed(1)} ms, ${median(s.map((x) => x.requests))} req`;
console.log(`50 pictures (96×96 PNG, ~28 KB each), Chromium, loopback; medians of ${RUNS} runs\n`);
console.log('| contender | cold | same page again | reload |\n|---|---|---|---|');
const names = { ours: '`<cached-profile-picture>`', b: '(b) immutable URLs, one metadata request per user', b0: '(b0) immutable URLs already known' };
for (const [key, name] of Object.entries(names)) {
  const r = results[key as keyof typeof results];
  console.log(`| ${name} | ${cell(r.cold)} | ${cell(r.again)} | ${cell(r.reload)} |`);
}
const ours = results.ours;
const sourced = ours.again.map((s) => s.sourced ?? Infinity);
console.log(`\nsame page again: all 50 had their source ${median(sourced).toFixed(2)} ms after connecting (median)`);
const m = (r: Record<Phase, Sample[]>, p: Phase) => median(r[p].map((s) => s.ms));
console.log(`reload: ours ÷ (b0) = ${(m(ours, 'reload') / m(results.b0, 'reload')).toFixed(2)}; (b) ÷ ours = ${(m(results.b, 'reload') / m(ours, 'reload')).toFixed(1)}×`);
console.log(`cold: ours ${m(ours, 'cold').toFixed(1)} ms against (b) ${m(results.b, 'cold').toFixed(1)} ms`);
