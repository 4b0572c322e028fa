// `npm run bench:browser -- --realistic` (or BENCH_REALISTIC=1): 50 users who each uploaded a 12-megapixel phone
// JPEG (bench/photos.ts), shown at 48 px, in Chromium on loopback, at device pixel ratio 1 and 2. Contenders:
//   (k)   a resizing peer (what Gravatar's `?s=96`, imgproxy or Cloudflare Images give a site): immutable 96-px WebP
//         URLs the page already knows;
//   (m)   the same peer, but the page first asks per user which picture is current (one metadata request each, as a
//         site must), then loads its 96-px WebP;
//   (c)   `<cached-profile-picture size="48">` on our service, which decoded each upload once and serves square
//         WebP copies through `srcset`;
//   (raw) for reference only: plain <img> on the raw 12 MP JPEGs from a static server, URLs known.
// The peer is a static server made here: its 96-px copies are the photos cropped square (centre) and encoded by
// sharp as WebP at quality 80 (imgproxy's default), served with `immutable`; its metadata answers `no-cache`. Each
// origin is a counting proxy (elements/testing) in front of its server, so ours and the peer take the same hops.
//
// Each run opens every contender in a fresh browser profile at each ratio: cold, then after a reload (after one
// session of each small contender not counted). Reported, as medians of BENCH_RUNS runs (5 unless set):
// - time: from starting to show the 50 until every <img> is complete and its `decode()` has resolved (before the
//   slash: until all are complete, which is where the default mode stops). `decode()` decodes the whole picture: for
//   the 12 MP reference that is more work than painting it at 48 px would take;
// - requests that reached a server, from starting to show the pictures until 2.5 s after (the proxies count them;
//   the page's own HTML and the browser's /favicon.ico are not counted; (c)'s include its lookup and the script
//   chunk it loads for IndexedDB);
// - image bytes: Resource Timing of the images fetched over the network meanwhile, bodies (`encodedBodySize`) and
//   with their response headers (`transferSize`); (c)'s previews are colours in its lookups, drawn by CSS;
// - the width in pixels of the picture each <img> shows (the file it picked, `currentSrc`: its `naturalWidth` is
//   divided by the srcset candidate's density) against its CSS width × DPR: from ×1 to ×4 of it is right;
// - the main thread: the longest task from starting to show the pictures until all are decoded, and the blocking
//   time (each long task's time over 50 ms, summed, as Lighthouse's Total Blocking Time counts it), from the
//   Long Tasks API;
// - the renderer's memory for images, from a Chromium memory-infra dump of the page's renderer process (Tracing
//   `requestMemoryDump`), taken 2.5 s after the pictures were shown: decoded pixels in the compositor's image decode
//   cache (`cc/image_memory`), encoded bytes in Blink's memory cache (`web_cache/Image_resources`), and the process's
//   private footprint (its own memory; the decoded pixels are in shared memory and not part of it).
// Then the issue's targets, checked against (c). `--json` prints the figures as JSON instead.
//
// BENCH_RTT_MS=n adds n ms to every request's response in every page (Chromium's network emulation, no cap on
// throughput): loopback answers in well under a millisecond, a phone or home network in tens of them, and the
// contenders differ most in how many requests wait on one another.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import sharp from 'sharp';
import type { PictureMeta } from '../contract/picture.ts';
import { freePort } from '../backend/testing/free-port.ts';
import { startEmbedded } from '../backend/testing/stack.ts';
import { startCountingProxy, type CountingProxy } from '../elements/testing/counting-proxy.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../scripts/chromium.mjs';
import { sleep } from '../scripts/testing/wait.ts';
import { harness, knownUrlsPage, oursPage, perUserMetaPage, USERS, type Measured } from './browser-pages.ts';
import { phonePhotos } from './photos.ts';
import { upload } from '../backend/testing/upload.ts';
import { median, medianMs, ratiosByRun, ratiosText } from './stats.ts';

/** Shown at this many CSS px. */
const SIZE = 48;
/** What the resizing peer serves. */
const PEER_WIDTH = 96;
const PEER_QUALITY = 80;
const RATIOS = [1, 2] as const;
const PHASES = ['cold', 'reload'] as const;
type Phase = (typeof PHASES)[number];
/** Long enough for fifty 12 MP JPEGs to arrive and decode. */
const DEADLINE_MS = 30_000;
/**
 * What (c) does in idle time (keeping Blobs for offline, within 2 s) is done before memory is read or the page
 * reloaded.
 */
const SETTLE_MS = 2_500;

interface Memory {
  decodedBytes: number;
  encodedBytes: number;
  footprintBytes: number;
}
interface Sample {
  ms: number | null;
  loadedMs: number | null;
  shown: number;
  requests: number;
  imageRequests: number;
  bodyBytes: number;
  transferBytes: number;
  widths: { natural: number; css: number }[];
  /**
   * While the pictures were shown (ms): the renderer's main thread busy (Chromium's `TaskDuration`), the script's share
   * of it, the longest task and the blocking time.
   */
  mainThread: { busyMs: number; scriptMs: number; longestMs: number; blockingMs: number };
  memory: Memory | null;
}

/** What the page's `measure()` gives, with the durations of the long tasks that ran meanwhile. */
type Timed = Measured & { longTasks: number[] };

/** Added to every request's response, in ms (0: loopback as it is). */
const RTT_MS = Number(process.env.BENCH_RTT_MS ?? 0);

/** A long task blocks input for its time over this (Lighthouse's Total Blocking Time). */
const BLOCKING_AFTER_MS = 50;

/** A static server for the peer: `/api/pictures/{id}` answers `{userId, url}` (no-cache); `files` immutable. */
async function startPeer(
  files: Map<string, { body: Uint8Array; type: string }>,
  current: Map<string, string>,
): Promise<{ base: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '';
    const userId = /^\/api\/pictures\/([\w-]+)$/.exec(path)?.[1];
    if (userId && current.has(userId)) {
      const body = JSON.stringify({ userId, url: current.get(userId) });
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-cache',
      });
      return res.end(body);
    }
    const file = files.get(path);
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, {
      'Content-Type': file.type,
      'Content-Length': file.body.length,
      'Cache-Control': 'public, max-age=31536000, immutable',
    });
    res.end(file.body);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  args?: {
    data?: { frames?: { processId: number; isOutermostMainFrame?: boolean }[] };
    dumps?: {
      allocators?: Record<string, { attrs?: { size?: { value: string } } }>;
      process_totals?: Record<string, string>;
    };
  };
}

/** The renderer's main-thread times so far (Chromium's `Performance.getMetrics`), in ms. */
async function rendererTimes(cdp: CDPSession): Promise<{ TaskDuration: number; ScriptDuration: number }> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const seconds = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
  return { TaskDuration: seconds('TaskDuration') * 1000, ScriptDuration: seconds('ScriptDuration') * 1000 };
}

/** A memory-infra dump of the renderer process of `page`'s main frame. */
async function rendererMemory(cdp: CDPSession): Promise<Memory | null> {
  const events: TraceEvent[] = [];
  const collect = (e: { value: object[] }) => events.push(...(e.value as TraceEvent[]));
  cdp.on('Tracing.dataCollected', collect);
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', {
    // No periodic dumps: only the one asked for. (The protocol's type for this object is too narrow.)
    traceConfig: {
      includedCategories: ['disabled-by-default-memory-infra', 'disabled-by-default-devtools.timeline'],
      excludedCategories: ['*'],
      memoryDumpConfig: { triggers: [] } as unknown as Record<string, string>,
    },
    transferMode: 'ReportEvents',
  });
  const { success } = await cdp.send('Tracing.requestMemoryDump', { deterministic: true, levelOfDetail: 'detailed' });
  await cdp.send('Tracing.end');
  await complete;
  cdp.off('Tracing.dataCollected', collect);
  // The process of the page's main frame, as the trace names it.
  const frames: { processId: number; isOutermostMainFrame?: boolean }[] =
    events.find((e) => e.name === 'TracingStartedInBrowser')?.args?.data?.frames ?? [];
  const pid = frames.find((f) => f.isOutermostMainFrame)?.processId;
  if (!success || pid === undefined) return null;
  const allocators: Record<string, { attrs?: { size?: { value: string } } }> = {};
  let totals: Record<string, string> | undefined;
  for (const e of events) {
    if (e.ph !== 'v' || e.pid !== pid) continue;
    Object.assign(allocators, e.args?.dumps?.allocators);
    totals ??= e.args?.dumps?.process_totals;
  }
  const size = (name: string) => parseInt(allocators[name]?.attrs?.size?.value ?? '0', 16);
  return {
    decodedBytes: size('cc/image_memory'),
    encodedBytes: size('web_cache/Image_resources'),
    footprintBytes: parseInt(totals?.private_footprint_bytes ?? '0', 16),
  };
}

export async function realistic(runs: number, json: boolean): Promise<void> {
  const photos = await phonePhotos(USERS.length);
  const hash = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);

  // Our service: the default upload limit (the test settings' would refuse a photo).
  const service = await startEmbedded('node', { MAX_UPLOAD_BYTES: String(32 * 1024 * 1024) });
  const uploadMs: number[] = [];
  const metas: PictureMeta[] = [];
  for (const [i, id] of USERS.entries()) {
    const start = performance.now();
    metas.push(await upload(service.base, id, photos[i]!, 'image/jpeg'));
    uploadMs.push(performance.now() - start);
  }

  // The peer: its own 96-px copies, and the raw photos for the reference.
  const files = new Map<string, { body: Uint8Array; type: string }>();
  const current = new Map<string, string>();
  const peerUrls: string[] = [];
  const rawUrls: string[] = [];
  for (const [i, id] of USERS.entries()) {
    const small = new Uint8Array(
      await sharp(photos[i])
        .resize(PEER_WIDTH, PEER_WIDTH, { fit: 'cover' })
        .webp({ quality: PEER_QUALITY })
        .toBuffer(),
    );
    const smallUrl = `/${PEER_WIDTH}/${id}/${hash(small)}.webp`;
    const rawUrl = `/raw/${id}/${hash(photos[i]!)}.jpg`;
    files.set(smallUrl, { body: small, type: 'image/webp' });
    files.set(rawUrl, { body: photos[i]!, type: 'image/jpeg' });
    current.set(id, smallUrl);
    peerUrls.push(smallUrl);
    rawUrls.push(rawUrl);
  }
  const peer = await startPeer(files, current);

  const measuring = harness(DEADLINE_MS, true);
  const ours = await startCountingProxy(service.base, { '/c.html': oursPage(undefined, measuring) });
  const peers = await startCountingProxy(peer.base, {
    '/k.html': knownUrlsPage(peerUrls, measuring),
    '/m.html': perUserMetaPage('', measuring),
    '/raw.html': knownUrlsPage(rawUrls, measuring),
  });
  const contenders = {
    k: {
      name: `(k) resizing peer: immutable ${PEER_WIDTH}-px WebP URLs the page knows`,
      proxy: peers,
      path: '/k.html',
    },
    m: {
      name: `(m) resizing peer: a metadata request per user, then its ${PEER_WIDTH}-px WebP`,
      proxy: peers,
      path: '/m.html',
    },
    c: { name: '(c) `<cached-profile-picture>`', proxy: ours, path: '/c.html' },
    raw: { name: 'reference: plain <img> on the 12 MP JPEGs, URLs known', proxy: peers, path: '/raw.html' },
  } as const;
  type Contender = keyof typeof contenders;
  const proxies: CountingProxy[] = [ours, peers];

  async function measure(page: Page, cdp: CDPSession): Promise<Sample> {
    for (const proxy of proxies) proxy.forwarded.length = 0;
    const before = await rendererTimes(cdp);
    const result = await page
      .evaluate(async (): Promise<Timed> => {
        const longTasks: number[] = [];
        const observer = new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) longTasks.push(entry.duration);
        });
        observer.observe({ type: 'longtask' });
        const shown = (await (window as unknown as { measure?(): Promise<Measured> }).measure?.()) ?? {
          ms: null,
          shown: 0,
        };
        // The last long task's entry may still be queued for the observer.
        for (const entry of observer.takeRecords()) longTasks.push(entry.duration);
        observer.disconnect();
        return { ...shown, longTasks };
      })
      .catch((): Timed => ({ ms: null, shown: 0, longTasks: [] }));
    const after = await rendererTimes(cdp);
    await sleep(SETTLE_MS);
    // The browser's own request for /favicon.ico is no picture's.
    const requests = proxies.reduce(
      (n, proxy) => n + proxy.forwarded.filter((line) => !line.endsWith(' /favicon.ico')).length,
      0,
    );
    const memory = await rendererMemory(cdp).catch(() => null);
    return {
      ms: result.ms,
      loadedMs: result.loadedMs ?? null,
      shown: result.shown,
      requests,
      imageRequests: result.network?.requests ?? 0,
      bodyBytes: result.network?.bodyBytes ?? 0,
      transferBytes: result.network?.transferBytes ?? 0,
      widths: result.widths ?? [],
      mainThread: {
        busyMs: after.TaskDuration - before.TaskDuration,
        scriptMs: after.ScriptDuration - before.ScriptDuration,
        longestMs: Math.max(0, ...result.longTasks),
        blockingMs: result.longTasks.reduce((sum, ms) => sum + Math.max(0, ms - BLOCKING_AFTER_MS), 0),
      },
      memory,
    };
  }

  async function session(browser: Browser, key: Contender, dpr: number): Promise<Record<Phase, Sample>> {
    const context = await browser.newContext({ deviceScaleFactor: dpr });
    try {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      if (RTT_MS > 0) {
        await cdp.send('Network.enable');
        await cdp.send('Network.emulateNetworkConditions', {
          offline: false,
          latency: RTT_MS,
          downloadThroughput: -1,
          uploadThroughput: -1,
        });
      }
      const { proxy, path } = contenders[key];
      await page.goto(`${proxy.base}${path}`);
      const cold = await measure(page, cdp);
      await page.reload();
      const reload = await measure(page, cdp);
      return { cold, reload };
    } finally {
      await context.close();
      // The renderer goes away (with half a GB after the 12 MP reference) before the next session starts: a time, as
      // the end of its process is not awaited here.
      await sleep(500);
    }
  }

  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const samples = {} as Record<Contender, Record<number, Record<Phase, Sample[]>>>;
  for (const key of Object.keys(contenders) as Contender[]) {
    samples[key] = Object.fromEntries(RATIOS.map((dpr) => [dpr, { cold: [], reload: [] }]));
  }
  try {
    // Not counted: one of each small contender first, so no one pays for the browser's and servers' first steps.
    for (const key of ['k', 'm', 'c'] as const) await session(browser, key, 1);
    // Contenders and ratios take turns within each run, each run starting with the next contender, so a slow moment
    // of the machine falls on all of them alike.
    const keys = Object.keys(contenders) as Contender[];
    for (let run = 0; run < runs; run++) {
      for (const dpr of RATIOS) {
        for (const key of [...keys.slice(run % keys.length), ...keys.slice(0, run % keys.length)]) {
          const result = await session(browser, key, dpr);
          for (const phase of PHASES) samples[key][dpr]![phase].push(result[phase]);
        }
      }
      process.stderr.write(`run ${run + 1} of ${runs} done\n`);
    }
  } finally {
    await browser.close();
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await peer.close();
    await service.stop();
  }

  /** Over all runs: medians, and every <img>'s natural width checked against its CSS width × DPR. */
  const summarize = (s: Sample[], dpr: number) => {
    const allShown = s.filter((x) => x.ms !== null).length * 2 > s.length;
    const widths = s.flatMap((x) => x.widths);
    const naturals = widths.map((w) => w.natural);
    const outside = widths.filter((w) => !(w.natural >= w.css * dpr && w.natural <= 4 * w.css * dpr)).length;
    const memories = s.map((x) => x.memory).filter((m): m is Memory => m !== null);
    const mem = (pick: (m: Memory) => number) => (memories.length ? median(memories.map(pick)) : null);
    return {
      ms: medianMs(s),
      msRange: allShown
        ? [Math.min(...s.map((x) => x.ms ?? Infinity)), Math.max(...s.map((x) => x.ms ?? Infinity))]
        : null,
      loadedMs: allShown && s.every((x) => x.loadedMs !== null) ? median(s.map((x) => x.loadedMs!)) : null,
      shown: median(s.map((x) => x.shown)),
      runsAllShown: s.filter((x) => x.ms !== null).length,
      requests: median(s.map((x) => x.requests)),
      imageRequests: median(s.map((x) => x.imageRequests)),
      bodyBytes: median(s.map((x) => x.bodyBytes)),
      transferBytes: median(s.map((x) => x.transferBytes)),
      busyMs: median(s.map((x) => x.mainThread.busyMs)),
      scriptMs: median(s.map((x) => x.mainThread.scriptMs)),
      longestTaskMs: median(s.map((x) => x.mainThread.longestMs)),
      blockingMs: median(s.map((x) => x.mainThread.blockingMs)),
      naturalWidth: naturals.length
        ? { min: Math.min(...naturals), max: Math.max(...naturals), checked: widths.length, outside }
        : null,
      memory: {
        decodedBytes: mem((m) => m.decodedBytes),
        encodedBytes: mem((m) => m.encodedBytes),
        footprintBytes: mem((m) => m.footprintBytes),
      },
    };
  };
  type Figures = ReturnType<typeof summarize>;
  const figures = Object.fromEntries(
    (Object.keys(contenders) as Contender[]).map((key) => [
      key,
      Object.fromEntries(
        RATIOS.map((dpr) => [
          dpr,
          Object.fromEntries(PHASES.map((phase) => [phase, summarize(samples[key][dpr]![phase], dpr)])),
        ]),
      ),
    ]),
  ) as Record<Contender, Record<number, Record<Phase, Figures>>>;

  const photoBytes = median(photos.map((p) => p.length));
  const variantBytes = (width: number) =>
    median(metas.map((m) => m.variants.find((v) => v.width === width)?.bytes ?? 0));
  const peerBytes = median(peerUrls.map((url) => files.get(url)!.body.length));

  // The issue's targets, for (c), cold, at each ratio.
  const checks: { target: string; value: string; met: boolean }[] = [];
  for (const dpr of RATIOS) {
    const [c, k, m] = [figures.c[dpr]!.cold, figures.k[dpr]!.cold, figures.m[dpr]!.cold];
    const bytesRatio = c.bodyBytes / k.bodyBytes;
    checks.push({
      target: `DPR ${dpr}: image bytes cold ≤ 1.2× (k)'s`,
      value: `${kb(c.bodyBytes)} against ${kb(k.bodyBytes)}: ${bytesRatio.toFixed(2)}×`,
      met: bytesRatio <= 1.2,
    });
    // Beside the medians, run by run: (c) against each peer measured in the same run.
    const againstM = ratiosByRun(samples.c[dpr]!.cold, samples.m[dpr]!.cold);
    const againstK = ratiosByRun(samples.c[dpr]!.cold, samples.k[dpr]!.cold);
    const timeOk = c.ms !== null && m.ms !== null && c.ms < m.ms;
    checks.push({
      target: `DPR ${dpr}: time to all decoded cold faster than (m)`,
      value: `${ms(c.ms)} against ${ms(m.ms)}; faster in ${againstM.filter((r) => r < 1).length} of ${againstM.length} runs`,
      met: timeOk,
    });
    const kRatio = c.ms !== null && k.ms !== null ? c.ms / k.ms : null;
    checks.push({
      target: `DPR ${dpr}: time to all decoded cold within 2× (k)'s`,
      value: `${ms(c.ms)} against ${ms(k.ms)}: ${kRatio === null ? '—' : `${kRatio.toFixed(2)}×`}; run by run, ${ratiosText(againstK)}`,
      met: kRatio !== null && kRatio <= 2,
    });
    const reload = figures.c[dpr]!.reload;
    checks.push({
      target: `DPR ${dpr}: 0 requests after a reload`,
      value: `${reload.requests} (median; most in a run: ${Math.max(...samples.c[dpr]!.reload.map((x) => x.requests))})`,
      met: samples.c[dpr]!.reload.every((x) => x.requests === 0),
    });
    for (const phase of PHASES) {
      const w = figures.c[dpr]![phase].naturalWidth;
      checks.push({
        target: `DPR ${dpr}, ${phase}: every <img>'s picture within ${SIZE * dpr}–${4 * SIZE * dpr} px (CSS width × DPR to 4× that)`,
        value: w ? `${w.min}–${w.max} px, ${w.checked - w.outside} of ${w.checked} within` : 'none shown',
        met: !!w && w.outside === 0 && w.checked === runs * USERS.length,
      });
    }
  }

  if (json) {
    console.log(
      JSON.stringify(
        {
          runs,
          rttMs: RTT_MS,
          pictures: USERS.length,
          size: SIZE,
          photoBytes,
          peerBytes,
          variantBytes: { 64: variantBytes(64), 96: variantBytes(96) },
          uploadMs: median(uploadMs),
          contenders: figures,
          targets: checks,
        },
        null,
        2,
      ),
    );
    return;
  }
  console.log(
    `50 users with a 12 MP phone JPEG each (4032×3024, median ${(photoBytes / 1e6).toFixed(2)} MB), shown at ${SIZE} px; Chromium, loopback${RTT_MS > 0 ? ` with ${RTT_MS} ms added to every response` : ''}; medians of ${runs} runs.`,
  );
  console.log(
    `The peer's ${PEER_WIDTH}-px WebP: median ${peerBytes} B. Ours: 64-px copy ${variantBytes(64)} B, 96-px ${variantBytes(96)} B (medians); upload to 201 ${ms(median(uploadMs))} (median).\n`,
  );
  console.log(
    '| contender | DPR | phase | time to all 50 complete / decoded (decoded: fastest–slowest run) | requests | image bytes (bodies) | with headers | width of the picture each <img> shows (right: CSS × DPR … 4×) | main thread: busy (script) / longest task / blocking time | renderer: decoded images | encoded images | private footprint |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [key, contender] of Object.entries(contenders) as [Contender, (typeof contenders)[Contender]][]) {
    for (const dpr of RATIOS) {
      for (const phase of PHASES) {
        const f = figures[key][dpr]![phase];
        const range = f.msRange && runs > 1 ? ` (${f.msRange.map((x) => x.toFixed(0)).join('–')})` : '';
        const time =
          f.ms === null ? `all 50 in ${f.runsAllShown} of ${runs} runs` : `${ms(f.loadedMs)} / ${ms(f.ms)}${range}`;
        const w = f.naturalWidth;
        const width = w
          ? `${w.min === w.max ? w.min : `${w.min}–${w.max}`} px, ${w.outside ? `${w.outside} of ${w.checked} outside` : 'all within'}`
          : '—';
        const { decodedBytes, encodedBytes, footprintBytes } = f.memory;
        console.log(
          `| ${contender.name} | ${dpr} | ${phase} | ${time} | ${f.requests} (${f.imageRequests} images) | ${kb(f.bodyBytes)} | ${kb(f.transferBytes)} | ${width} | ${ms(f.busyMs)} (${ms(f.scriptMs)}) / ${ms(f.longestTaskMs)} / ${ms(f.blockingMs)} | ${mb(decodedBytes)} | ${mb(encodedBytes)} | ${mb(footprintBytes)} |`,
        );
      }
    }
  }
  console.log('\n| target (for (c), 48 px) | measured | |\n|---|---|---|');
  for (const check of checks) console.log(`| ${check.target} | ${check.value} | ${check.met ? 'met' : 'missed'} |`);
}

function kb(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} KB`;
}
function mb(bytes: number | null): string {
  return bytes === null ? '—' : `${(bytes / 1e6).toFixed(1)} MB`;
}
function ms(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(0)} ms`;
}
