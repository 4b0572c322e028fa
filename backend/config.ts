import { DEFAULT_MAX_TOKEN_LIFETIME_S } from './auth.ts';

/**
 * The default upload limit: 20 MiB, room for any phone's JPEG (a 12-megapixel one is 3–6 MB, a 48-megapixel one up to
 * ~15).
 */
export const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

/** The default time an upload's body may take to arrive: a 12 MB photo at 100 KB/s. */
export const DEFAULT_UPLOAD_TIMEOUT_MS = 120_000;

/** The default largest picture or frame, in pixels: a 24-megapixel camera's; decoding it whole holds ~100 MB. */
export const DEFAULT_MAX_IMAGE_PIXELS = 25_000_000;

/** The default most frames kept of an animation: the rest are dropped. */
export const DEFAULT_MAX_IMAGE_FRAMES = 100;

/** The default most pixels all decoded frames of an animation may hold together: 100 frames of 1,000 × 1,000. */
export const DEFAULT_MAX_ANIMATION_PIXELS = 100_000_000;

/** The default most images one process decodes and encodes at once: one a core here, so a burst of uploads queues. */
export const DEFAULT_MAX_IMAGE_JOBS = 2;

/**
 * The default most storage reads one process makes at once for lookups' misses (and as many for copies): enough to
 * keep a batch of 100 unknown users quick, few enough that ten such batches at once do not swamp the object store.
 */
export const DEFAULT_MAX_STORAGE_READS = 64;

/**
 * The default most event streams one client may hold open: one a tab, a few people behind one address (a browser
 * holds at most six HTTP/1.1 connections to a host anyway). Past it the stream is refused and the page does without
 * live updates.
 */
export const DEFAULT_MAX_STREAMS_PER_CLIENT = 16;

/**
 * The default most event streams one process holds open for all clients: half of a common limit of 1,024 open
 * files, so streams never take the descriptors that lookups, uploads and storage need.
 */
export const DEFAULT_MAX_STREAMS = 512;

/** The default most uploads one client may send at once: a person sends one; a few share an address. */
export const DEFAULT_MAX_UPLOADS_PER_CLIENT = 4;

/**
 * The default most bytes of upload bodies one process holds at once, each counted at its Content-Length (or the
 * upload limit, without one): four uploads of the largest size, two encoding (MAX_IMAGE_JOBS) and two arriving,
 * or some sixteen 5-MB phone photos.
 */
export const DEFAULT_MAX_UPLOAD_MEMORY_BYTES = 4 * DEFAULT_MAX_UPLOAD_BYTES;

/**
 * The default time a request's head may take to arrive: headers come in a packet or two, so 20 s is ample for a
 * slow phone, and a connection that sends part of a request and stops is closed (408) instead of kept for good.
 */
export const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;

/**
 * The default most bytes of copies one process keeps in memory for the `/images/` route (the copies' own bytes, not the
 * bookkeeping of each entry): some 30,000 of the 64-px copies a friend list shows (about 1 KB each), or 512
 * of the largest kept (64 KB).
 */
export const DEFAULT_COPY_MEMORY_BYTES = 32 * 1024 * 1024;

/** The default time between two sweeps of the storage for what no pointer names. */
export const DEFAULT_CLEANUP_INTERVAL_MS = 10 * 60_000;

/**
 * The default age below which the sweep touches nothing: past a cached lookup's 50 minutes and the hour a page may
 * use a lookup's answer, so no cached lookup or page names a version whose bytes are gone.
 */
export const DEFAULT_CLEANUP_GRACE_MS = 2 * 60 * 60_000;

/** The service's settings, read from the environment (the README's table documents each variable). */
export interface Config {
  host: string;
  port: number;
  /** Unset: the in-memory cache. */
  redisUrl?: string;
  /** A Redis Cluster's startup nodes, instead of `redisUrl`. */
  redisClusterNodes?: { host: string; port: number }[];
  /** Unset: pictures are files under `dataDir`. */
  minio?: {
    endPoint: string;
    port: number;
    useSSL: boolean;
    accessKey: string;
    secretKey: string;
    bucket: string;
    region: string;
  };
  dataDir: string;
  authSecret?: string;
  adminToken?: string;
  /** The longest a user token may last, in seconds (from `iat` to `exp`); tokens without `exp` are refused. */
  maxTokenLifetimeS: number;
  maxUploadBytes: number;
  /** How long an upload's body may take to arrive, from the first byte read to the last. */
  uploadTimeoutMs: number;
  /** The most pixels (width × height) a picture or frame may claim; more is refused before anything decodes it. */
  maxImagePixels: number;
  /** Frames of an animation past this are dropped. */
  maxImageFrames: number;
  /** The most pixels all decoded frames of an animation may hold together. */
  maxAnimationPixels: number;
  /** The most images one process decodes and encodes at once. */
  maxImageJobs: number;
  /** The most storage reads one process makes at once for lookups that miss the cache, and as many for copies. */
  maxStorageReads: number;
  /** Proxies in front that append the client's address to `X-Forwarded-For` (0: the socket's peer is the client). */
  trustProxy: number;
  /** The most event streams one client may hold open. */
  maxStreamsPerClient: number;
  /** The most event streams one process holds open. */
  maxStreams: number;
  /** The most uploads one client may send at once. */
  maxUploadsPerClient: number;
  /** The most bytes of upload bodies one process holds at once. */
  maxUploadMemoryBytes: number;
  /** How long a request's head may take to arrive before the connection is answered 408 and closed. */
  headersTimeoutMs: number;
  /** The most bytes of copies one process keeps in memory for the `/images/` route (0: none). */
  copyMemoryBytes: number;
  /** How often each instance sweeps the storage for what no pointer names. */
  cleanupIntervalMs: number;
  /** What no pointer names is removed only once older than this; lookups are cached for at most half of it. */
  cleanupGraceMs: number;
  /** The audience user tokens must name (`aud`); unset, tokens naming any audience are refused. */
  authAudience?: string;
  corsOrigins: string[];
  /**
   * The address clients reach the service at (`https://img.example.com`), for the picture URLs lookups answer;
   * unset, they answer paths (`/images/…`), which clients resolve against the API's URL. Never the request's `Host`.
   */
  publicUrl?: string;
  /** Give the demo's people their pictures at startup, when they have none (`SEED_DEMO`, on by default). */
  seedDemo: boolean;
}

/** Thrown at startup for a setting that cannot work; the message names the variable and the fix. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and checks the configuration; throws a ConfigError naming the variable for any bad value. */
export function readConfig(env: Record<string, string | undefined>): Config {
  const get = (name: string) => env[name]?.trim() || undefined;
  const clusterNodes = get('REDIS_CLUSTER_NODES');
  if (clusterNodes && get('REDIS_URL')) {
    throw new ConfigError(
      'REDIS_URL and REDIS_CLUSTER_NODES are both set: set REDIS_URL for one Redis server, or REDIS_CLUSTER_NODES for a cluster.',
    );
  }
  const authSecret = secret(env, 'AUTH_SECRET', 'to sign tokens safely', ", or leave it unset for the demo's sign-in");
  const adminToken = secret(env, 'ADMIN_TOKEN', 'to be hard to guess', ', or leave it unset for no operator');
  const endPoint = get('MINIO_ENDPOINT');
  let minio: Config['minio'];
  if (endPoint) {
    const accessKey = get('MINIO_ACCESS_KEY');
    const secretKey = get('MINIO_SECRET_KEY');
    if (!accessKey || !secretKey)
      throw new ConfigError('MINIO_ENDPOINT is set, so MINIO_ACCESS_KEY and MINIO_SECRET_KEY must be too.');
    minio = {
      endPoint,
      port: integer(env, 'MINIO_PORT', 9000),
      useSSL: boolean(env, 'MINIO_USE_SSL', false),
      accessKey,
      secretKey,
      bucket: get('MINIO_BUCKET') ?? 'profile-pictures',
      region: get('MINIO_REGION') ?? 'us-east-1',
    };
  }
  return {
    host: get('HOST') ?? '127.0.0.1',
    port: integer(env, 'PORT', 8787),
    redisUrl: get('REDIS_URL'),
    redisClusterNodes: clusterNodes ? hostPorts(clusterNodes) : undefined,
    minio,
    dataDir: get('DATA_DIR') ?? './.data',
    authSecret,
    adminToken,
    maxTokenLifetimeS: integer(env, 'MAX_TOKEN_LIFETIME_S', DEFAULT_MAX_TOKEN_LIFETIME_S),
    maxUploadBytes: integer(env, 'MAX_UPLOAD_BYTES', DEFAULT_MAX_UPLOAD_BYTES),
    uploadTimeoutMs: integer(env, 'UPLOAD_TIMEOUT_MS', DEFAULT_UPLOAD_TIMEOUT_MS),
    maxImagePixels: integer(env, 'MAX_IMAGE_PIXELS', DEFAULT_MAX_IMAGE_PIXELS),
    maxImageFrames: integer(env, 'MAX_IMAGE_FRAMES', DEFAULT_MAX_IMAGE_FRAMES),
    maxAnimationPixels: integer(env, 'MAX_ANIMATION_PIXELS', DEFAULT_MAX_ANIMATION_PIXELS),
    maxImageJobs: integer(env, 'MAX_IMAGE_JOBS', DEFAULT_MAX_IMAGE_JOBS),
    maxStorageReads: integer(env, 'MAX_STORAGE_READS', DEFAULT_MAX_STORAGE_READS),
    trustProxy: proxyHops(env),
    maxStreamsPerClient: integer(env, 'MAX_STREAMS_PER_CLIENT', DEFAULT_MAX_STREAMS_PER_CLIENT),
    maxStreams: integer(env, 'MAX_STREAMS', DEFAULT_MAX_STREAMS),
    maxUploadsPerClient: integer(env, 'MAX_UPLOADS_PER_CLIENT', DEFAULT_MAX_UPLOADS_PER_CLIENT),
    maxUploadMemoryBytes: integer(env, 'MAX_UPLOAD_MEMORY_BYTES', DEFAULT_MAX_UPLOAD_MEMORY_BYTES),
    headersTimeoutMs: integer(env, 'HEADERS_TIMEOUT_MS', DEFAULT_HEADERS_TIMEOUT_MS),
    copyMemoryBytes: integer(env, 'COPY_MEMORY_BYTES', DEFAULT_COPY_MEMORY_BYTES, true),
    cleanupIntervalMs: integer(env, 'CLEANUP_INTERVAL_MS', DEFAULT_CLEANUP_INTERVAL_MS),
    cleanupGraceMs: integer(env, 'CLEANUP_GRACE_MS', DEFAULT_CLEANUP_GRACE_MS),
    authAudience: get('AUTH_AUDIENCE'),
    corsOrigins: (get('CORS_ORIGINS') ?? '*')
      .split(',')
      .map((o) => o.trim())
      .filter(Boolean),
    publicUrl: publicUrl(get('PUBLIC_URL')),
    seedDemo: boolean(env, 'SEED_DEMO', true),
  };
}

/** An http(s) origin, with an optional path prefix, without the trailing slash the paths bring themselves. */
function publicUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      `PUBLIC_URL=${raw} is not a URL: give the address clients reach the service at, e.g. https://img.example.com.`,
    );
  }
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash || url.username) {
    throw new ConfigError(`PUBLIC_URL=${raw} must be a plain http(s) address, e.g. https://img.example.com.`);
  }
  return url.href.replace(/\/$/, '');
}

/** `host:port,host:port` as the startup nodes of a cluster; the port is required, so a typo is not a silent 6379. */
function hostPorts(list: string): { host: string; port: number }[] {
  const items = list
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (!items.length)
    throw new ConfigError(
      "REDIS_CLUSTER_NODES names no node; list some of the cluster's nodes, e.g. 10.0.0.1:6379,10.0.0.2:6379.",
    );
  return items.map((item) => {
    const [, host, port] = /^\[?([^\]\s]+?)\]?:(\d{1,5})$/.exec(item) ?? [];
    if (!host || !port || Number(port) < 1 || Number(port) > 65_535) {
      throw new ConfigError(
        `REDIS_CLUSTER_NODES: ${JSON.stringify(item)} is not host:port; list some of the cluster's nodes, e.g. 10.0.0.1:6379,10.0.0.2:6379.`,
      );
    }
    return { host, port: Number(port) };
  });
}

/**
 * A secret setting, trimmed: unset or empty is none, but one made only of blanks is a mistake (it would otherwise
 * read as unset and quietly change what the service does), and so is one shorter than 32 characters.
 */
function secret(
  env: Record<string, string | undefined>,
  name: string,
  purpose: string,
  orUnset: string,
): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = raw.trim();
  const fix = `use at least 32 characters (e.g. \`openssl rand -hex 32\`)${orUnset}.`;
  if (!value) throw new ConfigError(`${name} is set but blank: ${fix}`);
  if (value.length < 32) throw new ConfigError(`${name} is too short ${purpose}: ${fix}`);
  return value;
}

/**
 * `TRUST_PROXY`: how many proxies in front append to `X-Forwarded-For`; `true` is one, `false` (or unset) none. Set
 * by mistake, any client could name itself anyone and escape its limits, so only a value that says so counts.
 */
function proxyHops(env: Record<string, string | undefined>): number {
  const raw = env.TRUST_PROXY?.trim().toLowerCase();
  if (!raw || raw === 'false' || raw === '0') return 0;
  if (raw === 'true') return 1;
  const hops = Number(raw);
  if (Number.isSafeInteger(hops) && hops > 0) return hops;
  throw new ConfigError(
    `TRUST_PROXY=${raw} is not true, false or a number of proxies; set it only when proxies you run set X-Forwarded-For.`,
  );
}

/** A whole number setting: positive, or, where 0 turns something off (`orZero`), 0 or more. */
function integer(env: Record<string, string | undefined>, name: string, fallback: number, orZero = false): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < (orZero ? 0 : 1))
    throw new ConfigError(`${name}=${raw} is not a ${orZero ? 'whole number of 0 or more' : 'positive whole number'}.`);
  return value;
}

function boolean(env: Record<string, string | undefined>, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name}=${raw} is not true or false.`);
}
