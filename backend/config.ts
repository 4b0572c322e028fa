/** The default upload limit: 5 MiB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** The service's settings, read from the environment (the README's table documents each variable). */
export interface Config {
  host: string;
  port: number;
  /** Unset: the in-memory cache. */
  redisUrl?: string;
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
  maxUploadBytes: number;
  corsOrigins: string[];
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
  if (get('REDIS_CLUSTER_NODES')) {
    throw new ConfigError('REDIS_CLUSTER_NODES is not supported by this version; set REDIS_URL to one Redis server.');
  }
  const authSecret = get('AUTH_SECRET');
  if (authSecret && authSecret.length < 32) {
    throw new ConfigError('AUTH_SECRET is too short to sign tokens safely: use at least 32 characters (e.g. `openssl rand -hex 32`).');
  }
  const endPoint = get('MINIO_ENDPOINT');
  let minio: Config['minio'];
  if (endPoint) {
    const accessKey = get('MINIO_ACCESS_KEY');
    const secretKey = get('MINIO_SECRET_KEY');
    if (!accessKey || !secretKey) throw new ConfigError('MINIO_ENDPOINT is set, so MINIO_ACCESS_KEY and MINIO_SECRET_KEY must be too.');
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
    minio,
    dataDir: get('DATA_DIR') ?? './.data',
    authSecret,
    adminToken: get('ADMIN_TOKEN'),
    maxUploadBytes: integer(env, 'MAX_UPLOAD_BYTES', DEFAULT_MAX_UPLOAD_BYTES),
    corsOrigins: (get('CORS_ORIGINS') ?? '*').split(',').map((o) => o.trim()).filter(Boolean),
    seedDemo: boolean(env, 'SEED_DEMO', true),
  };
}

function integer(env: Record<string, string | undefined>, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) throw new ConfigError(`${name}=${raw} is not a positive whole number.`);
  return value;
}

function boolean(env: Record<string, string | undefined>, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name}=${raw} is not true or false.`);
}
