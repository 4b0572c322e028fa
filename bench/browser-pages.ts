// The pages `npm run bench:browser` measures, in both of its modes: each defines `window.measure()`, which puts 50
// pictures on the page and resolves once all are shown (see `harness`).

/** The 50 users every page shows. */
export const USERS = Array.from({ length: 50 }, (_, i) => `friend${i}`);

/** What `window.measure()` resolves with. */
export interface Measured {
  /**
   * Ms from the start until every `<img>` was complete with a picture (and, with `decode`, decoded); null: not all by
   * the deadline.
   */
  ms: number | null;
  /** Ms from the start until every `<img>` was complete with a picture, before any was decoded. */
  loadedMs?: number;
  /** How many were shown by then. */
  shown: number;
  /** For `<cached-profile-picture>`: ms from creating the tags until every one's `<img>` had its src. */
  sourced?: number | null;
  /**
   * Every `<img>`'s picture's width in pixels (of the file picked, `currentSrc`) and its CSS width, once all were
   * shown.
   */
  widths?: { natural: number; css: number }[];
  /** `devicePixelRatio`. */
  dpr?: number;
  /** Resource Timing of the images fetched meanwhile (not those the memory cache answered): `transferSize` > 0. */
  network?: { requests: number; bodyBytes: number; transferBytes: number };
}

/**
 * `window.measure(show)`: `show()` puts the 50 pictures on the page and answers their `<img>`s (or a function
 * listing them); resolves with the ms until all 50 are complete with a picture, or with how many were by the
 * deadline. With `decode`, "shown" means decoded too: each image's `decode()` has resolved.
 */
export const harness = (deadlineMs: number, decode = false) => `<script>
/** After the tags' first update: the ms from creating them until every one's <img> had its src, or null. */
window.sourced = async (tags, created) => {
  await Promise.all(tags.map((t) => t.updateComplete));
  window.sourcedMs = tags.every((t) => t.shadowRoot.querySelector('img')?.getAttribute('src')) ? performance.now() - created : null;
};
performance.setResourceTimingBufferSize(10000);
window.measureWith = (show) => new Promise(async (resolve) => {
  window.sourcedMs = null;
  performance.clearResourceTimings();
  const start = performance.now();
  const list = await show();
  const imgs = typeof list === 'function' ? list : () => list;
  const shown = () => imgs().filter((img) => img && img.complete && img.naturalWidth > 0).length;
  const done = async () => {
    const all = imgs();
    const loadedMs = performance.now() - start;
    if (${decode}) await Promise.all(all.map((img) => img.decode().catch(() => undefined)));
    const ms = performance.now() - start;
    const network = { requests: 0, bodyBytes: 0, transferBytes: 0 };
    for (const entry of performance.getEntriesByType('resource')) {
      if (entry.initiatorType !== 'img' || !(entry.transferSize > 0)) continue;
      network.requests++;
      network.bodyBytes += entry.encodedBodySize;
      network.transferBytes += entry.transferSize;
    }
    // naturalWidth is corrected by the density of the srcset candidate picked (a 96w copy at sizes=48px reads 48):
    // the picked file itself, loaded again from the memory cache, tells its pixels.
    const pixels = (img) => new Promise((done) => {
      const probe = new Image();
      probe.onload = probe.onerror = () => done(probe.naturalWidth);
      probe.src = img.currentSrc;
    });
    const widths = await Promise.all(all.map(async (img) => ({ natural: await pixels(img), css: img.getBoundingClientRect().width })));
    resolve({ ms, loadedMs, shown: 50, sourced: window.sourcedMs, widths, dpr: devicePixelRatio, network });
  };
  const check = () => {
    const count = shown();
    if (count === 50) return void done();
    if (performance.now() - start > ${deadlineMs}) return resolve({ ms: null, shown: count, sourced: window.sourcedMs });
    requestAnimationFrame(check);
  };
  check();
});
</script>`;

/** The default deadline: past it, the pictures not shown count as not shown (offline, mostly). */
const DEADLINE_MS = 5_000;

/**
 * A page that connects 50 new `tag` elements for each measurement, each given `props(item)` (JS), and records when
 * every one's `<img>` has its src.
 */
export const tagsPage = (
  head: string,
  tag: string,
  items: unknown[],
  props: string,
  around = ['', ''],
  measuring = harness(DEADLINE_MS),
) => `<!doctype html><meta charset="utf-8">${head}
${measuring}<body>${around[0]}<div id="list" style="display:flex;flex-wrap:wrap;gap:2px"></div>${around[1]}<script type="module">
const items = ${JSON.stringify(items)};
window.measure = () => measureWith(async () => {
  await customElements.whenDefined('${tag}');
  const list = document.getElementById('list');
  list.replaceChildren();
  const created = performance.now();
  const tags = items.map((item) => Object.assign(document.createElement('${tag}'), ${props}));
  list.append(...tags);
  await sourced(tags, created);
  return () => tags.map((t) => t.shadowRoot.querySelector('img'));
});
</script>`;

/**
 * (c): one script tag, the element at 48 px. With `worker`, the page opts in to the service worker and has it
 * precache the page itself, as a site that wants to open offline does.
 */
export const oursPage = (worker?: string, measuring?: string) =>
  tagsPage(
    '<script type="module" src="/cached-profile-picture.js"></script>',
    'cached-profile-picture',
    USERS,
    '{ userId: item, label: item, size: 48 }',
    worker ? [`<picture-store-provider service-worker="${worker}">`, '</picture-store-provider>'] : undefined,
    measuring,
  );

/**
 * The page asks which picture is current, once per user (`/api/pictures/{id}`, answering `{url}`), then shows plain
 * 48-px <img> on `prefix` + the URL's path.
 */
export const perUserMetaPage = (
  prefix: string,
  measuring = harness(DEADLINE_MS),
) => `<!doctype html><meta charset="utf-8">${measuring}<body><div id="list"></div><script type="module">
const users = ${JSON.stringify(USERS)};
window.measure = () => measureWith(() => {
  const list = document.getElementById('list');
  list.replaceChildren();
  return Promise.all(users.map(async (id) => {
    const meta = await (await fetch('/api/pictures/' + id)).json();
    const img = Object.assign(new Image(48, 48), { src: '${prefix}' + new URL(meta.url, location.href).pathname, alt: id });
    list.append(img);
    return img;
  }));
});
</script>`;

/** The page already knows every immutable URL, and shows them as plain 48-px <img>. */
export const knownUrlsPage = (
  urls: string[],
  measuring = harness(DEADLINE_MS),
) => `<!doctype html><meta charset="utf-8">${measuring}<body><div id="list"></div><script type="module">
const urls = ${JSON.stringify(urls)};
window.measure = () => measureWith(() => {
  const list = document.getElementById('list');
  list.replaceChildren();
  const imgs = urls.map((src, i) => Object.assign(new Image(48, 48), { src, alt: 'friend' + i }));
  list.append(...imgs);
  return imgs;
});
</script>`;
