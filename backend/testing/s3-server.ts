import { mkdtemp, rename, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export interface S3ServerOptions {
  /** Buckets that exist from the start, each allowing GET and HEAD from any origin (CORS). */
  buckets?: string[];
  /** The region clients should sign for; s3rver accepts any. Default `us-east-1`. */
  region?: string;
  /**
   * `false`: a PUT cut off leaves the object empty or cut short, as s3rver itself (and some S3-compatible servers)
   * do, for tests of what a crash leaves on such a server. Default `true`: all or nothing, as S3 and MinIO.
   */
  atomic?: boolean;
}

/** A private S3 server for one test run, on 127.0.0.1. */
export interface S3Server {
  endpoint: '127.0.0.1';
  port: number;
  accessKey: string;
  secretKey: string;
  region: string;
  /** Where the objects are kept; removed by `stop()`. */
  directory: string;
  /** What `new Client(...)` needs to reach this server. */
  clientOptions: {
    endPoint: string;
    port: number;
    useSSL: false;
    accessKey: string;
    secretKey: string;
    region: string;
    pathStyle: true;
  };
  /** Stops listening and drops open connections; the data stays for `restart()`. */
  pause(): Promise<void>;
  /** Listens again on the same port with the same data (pausing first when running). */
  restart(): Promise<void>;
  /** Stops for good and deletes the data. Safe to call twice. */
  stop(): Promise<void>;
  /** Every request the server was sent since it started (method and path, query included), oldest first. */
  requests(): readonly { method: string; path: string }[];
}

/** The part of @20minutes/s3rver used here (it ships no types). */
interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
  store: { putContent(path: string, content: unknown): Promise<[number, string]> };
}

/**
 * s3rver writes a PUT's body straight over the object it replaces, so a client that dies mid-PUT leaves the object
 * empty or cut short. No real S3 does that (a PUT is all or nothing; MinIO writes aside and renames), and a test of
 * a crash mid-upload must not fail on it: here the body goes to a file beside the object, renamed over it once
 * the whole body has arrived; a body that breaks off is thrown away.
 */
function atomicPuts(server: S3rverInstance): void {
  const { store } = server;
  const write = store.putContent.bind(store);
  store.putContent = async (path, content) => {
    const aside = `${path}.incoming-${crypto.randomUUID()}`;
    try {
      const written = await write(aside, content);
      await rename(aside, path);
      return written;
    } catch (error) {
      await rm(aside, { force: true });
      throw error;
    }
  };
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

const ANY_ORIGIN_GET = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

/**
 * Starts @20minutes/s3rver (an S3 server in Node that checks SigV4 signatures) on 127.0.0.1, on a free port, in
 * a fresh temp directory, silently. Keys are s3rver's defaults, `S3RVER` / `S3RVER`.
 *
 * @example
 * const s3 = await startS3Server({ buckets: ['pictures'] });
 * const client = new Client(s3.clientOptions);
 * after(() => s3.stop());
 */
export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const { buckets = [], region = 'us-east-1', atomic = true } = options;
  // A CommonJS package without types: required, and typed by the small interface above.
  const S3rver = createRequire(import.meta.url)('@20minutes/s3rver') as S3rverClass;
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const port = await freePort();
  const configureBuckets = buckets.map((name) => ({ name, configs: [ANY_ORIGIN_GET] }));
  let running: S3rverInstance | null = null;
  let stopped = false;
  const log: { method: string; path: string }[] = [];

  async function listen(): Promise<void> {
    // resetOnClose stays off: it would wipe the data on pause, and stop() removes the directory itself.
    const server = new S3rver({ address: '127.0.0.1', port, directory, silent: true, configureBuckets });
    if (atomic) atomicPuts(server);
    await server.run();
    server.httpServer?.unref(); // as with killOnExit: a test that failed before stopping it must not hang the run
    server.httpServer?.on('request', (req: { method?: string; url?: string }) =>
      log.push({ method: req.method ?? '', path: req.url ?? '' }),
    );
    running = server;
  }

  async function pause(): Promise<void> {
    const server = running;
    if (!server) return;
    running = null;
    const closed = server.close();
    // close() waits for every open connection; a test that stops the server wants it gone now.
    server.httpServer?.closeAllConnections();
    await closed;
  }

  await listen();
  const accessKey = 'S3RVER';
  const secretKey = 'S3RVER';
  return {
    endpoint: '127.0.0.1',
    port,
    accessKey,
    secretKey,
    region,
    directory,
    clientOptions: { endPoint: '127.0.0.1', port, useSSL: false, accessKey, secretKey, region, pathStyle: true },
    pause,
    async restart() {
      if (stopped) throw new Error('This S3 server was stopped; start a new one.');
      await pause();
      await listen();
    },
    async stop() {
      stopped = true;
      await pause();
      await rm(directory, { recursive: true, force: true });
    },
    requests: () => log,
  };
}
