import type { Config } from './config.ts';

/**
 * The last line the service prints at start, the same on Node and Deno: where to go (the demo, the API), then
 * `setup` ({@link describeSetup}).
 *
 * @param demo whether the service has a built demo to serve at `/`.
 * @example
 * startupLine('127.0.0.1', 8787, true, describeSetup(readConfig({})));
 * // 'Demo on http://127.0.0.1:8787/ · API on http://127.0.0.1:8787/api · pictures kept under ./.data (files), memory cache'
 */
export function startupLine(host: string, port: number, demo: boolean, setup: string): string {
  // An IPv6 address is bracketed in a URL.
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const site = demo ? `Demo on ${origin}/` : 'No demo to serve (`npm run build` makes it)';
  return `${site} · API on ${origin}/api · ${setup}`;
}

/** Where the configuration keeps the pictures and which cache answers lookups, as the startup line says it. */
export function describeSetup(config: Config): string {
  const pictures = config.minio
    ? `pictures in S3 ${config.minio.endPoint}:${config.minio.port}/${config.minio.bucket}`
    : `pictures kept under ${config.dataDir} (files)`;
  const cache = config.redisClusterNodes ? 'Redis Cluster cache' : config.redisUrl ? 'Redis cache' : 'memory cache';
  return `${pictures}, ${cache}`;
}
