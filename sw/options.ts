/**
 * The worker's settings. A prebuilt worker cannot be edited by each site, so they travel in its script URL
 * (`/sw.js?maxEntries=100&precache=/,/profile`): a new setting is a new script, which the browser installs as an
 * update. `swManager.register()` writes that URL and refuses bad values; the worker, given one directly, warns and
 * keeps the default.
 */

export interface WorkerOptions {
  /** Pictures kept at most (default 200). */
  maxEntries: number;
  /** Bytes of pictures kept at most (default 25 MiB). */
  maxBytes: number;
  /** How long a picture is served without asking the network (default 7 days; never longer than its `max-age`). */
  maxAgeSeconds: number;
  /**
   * How long an upload made offline is kept, with its token, to be sent when the connection returns (default 24 h):
   * past it, it is dropped unsent and the pages are told (`picture-upload-expired`).
   */
  uploadMaxAgeSeconds: number;
  /**
   * Same-origin paths (pages and their files) the worker fetches at install and serves network-first, so the site
   * opens offline after one visit. Default: none; the worker then stays out of every navigation.
   */
  precache: string[];
  /**
   * The image service's origins: the worker caches the pictures and queues the uploads of these alone, so another
   * host's `/images/…` or `PUT …/pictures/…` (and the token it carries) never lands in its storage. Default: none
   * listed, which is the worker's own origin. `register()` takes any URL of the service (its API's address; a relative
   * one against the page) and keeps its origin; the worker's URL carries them: `origins=https://img.example`.
   */
  origins: string[];
}

export const DEFAULT_OPTIONS: Readonly<WorkerOptions> = Object.freeze({
  maxEntries: 200,
  maxBytes: 25 * 1024 * 1024,
  maxAgeSeconds: 7 * 24 * 60 * 60,
  uploadMaxAgeSeconds: 24 * 60 * 60,
  precache: [],
  origins: [],
});

type NumberOption = 'maxEntries' | 'maxBytes' | 'maxAgeSeconds' | 'uploadMaxAgeSeconds';
const NUMBER_OPTIONS: readonly NumberOption[] = ['maxEntries', 'maxBytes', 'maxAgeSeconds', 'uploadMaxAgeSeconds'];

/** Why `value` cannot be the option `name`, or `undefined` when it can. */
function numberProblem(name: NumberOption, value: unknown): string | undefined {
  const ok = typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
  return ok ? undefined : `${name} must be a whole number above 0, not ${JSON.stringify(value)}`;
}

/** Why `path` cannot be precached, or `undefined` when it can. */
function pathProblem(path: unknown): string | undefined {
  const ok = typeof path === 'string' && path.startsWith('/') && !path.startsWith('//') && !/[?#,]/.test(path);
  return ok
    ? undefined
    : `precache takes paths on this origin such as "/" or "/profile" (no query, no comma), not ${JSON.stringify(path)}`;
}

/** The origin of `url` (resolved against `base`) when it is an http(s) URL, else `undefined`. */
function webOrigin(url: unknown, base?: string): string | undefined {
  try {
    const { protocol, origin } = new URL(url as string, base);
    return typeof url === 'string' && /^https?:$/.test(protocol) ? origin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The script URL that carries `options` (only those that differ from the defaults, so the plain URL stays plain).
 *
 * @throws {RangeError} naming the bad option and what it takes.
 */
export function workerScriptUrl(script: string, options: Partial<WorkerOptions>): string {
  const url = new URL(script, 'http://placeholder.invalid');
  for (const name of NUMBER_OPTIONS) {
    const value = options[name];
    if (value === undefined) continue;
    const problem = numberProblem(name, value);
    if (problem) throw new RangeError(`swManager.register: ${problem}.`);
    if (value !== DEFAULT_OPTIONS[name]) url.searchParams.set(name, String(value));
  }
  if (options.precache !== undefined) {
    if (!Array.isArray(options.precache))
      throw new RangeError(
        `swManager.register: precache must be a list of paths, not ${JSON.stringify(options.precache)}.`,
      );
    const problem = options.precache.map(pathProblem).find(Boolean);
    if (problem) throw new RangeError(`swManager.register: ${problem}.`);
    if (options.precache.length) url.searchParams.set('precache', options.precache.join(','));
  }
  if (options.origins !== undefined) {
    if (!Array.isArray(options.origins))
      throw new RangeError(
        `swManager.register: origins must be a list of URLs, not ${JSON.stringify(options.origins)}.`,
      );
    // Added to those the script's URL names already.
    const origins = new Set(url.searchParams.get('origins')?.split(',').filter(Boolean));
    for (const given of options.origins) {
      const origin = webOrigin(given, location.href);
      if (!origin)
        throw new RangeError(
          `swManager.register: origins takes the image service's http(s) URLs such as "https://pictures.example" or "/api", not ${JSON.stringify(given)}.`,
        );
      origins.add(origin);
    }
    // The worker's own origin alone is the default: the plain URL stays plain.
    if (origins.size === 1 && origins.has(new URL(script, location.href).origin)) url.searchParams.delete('origins');
    else if (origins.size) url.searchParams.set('origins', [...origins].join(','));
  }
  return url.origin === 'http://placeholder.invalid' ? `${url.pathname}${url.search}` : url.href;
}

/** The options in the worker's own URL; a bad value is reported in `problems` and replaced by its default. */
export function readWorkerOptions(search: URLSearchParams): { options: WorkerOptions; problems: string[] } {
  const options: WorkerOptions = { ...DEFAULT_OPTIONS, precache: [], origins: [] };
  const problems: string[] = [];
  for (const name of NUMBER_OPTIONS) {
    const raw = search.get(name);
    if (raw === null) continue;
    const problem = numberProblem(name, /^\d+$/.test(raw) ? Number(raw) : raw);
    if (problem) problems.push(`${problem}: using ${DEFAULT_OPTIONS[name]}`);
    else options[name] = Number(raw);
  }
  for (const path of (search.get('precache') ?? '').split(',').filter(Boolean)) {
    const problem = pathProblem(path);
    if (problem) problems.push(`${problem}: left out`);
    else options.precache.push(path);
  }
  for (const origin of (search.get('origins') ?? '').split(',').filter(Boolean)) {
    if (webOrigin(origin) === origin) options.origins.push(origin);
    else
      problems.push(
        `origins takes origins such as "https://pictures.example", not ${JSON.stringify(origin)}: left out`,
      );
  }
  return { options, problems };
}
