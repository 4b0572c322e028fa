import type { Redis } from 'ioredis';

/** The channel a redirected connection receives invalidations on, under RESP2. */
const INVALIDATE = '__redis__:invalidate';

export interface KeyTrackingOptions {
  /**
   * The connection that reads the keys: a single Redis (tracking is per node; a Cluster is not supported). The
   * invalidations arrive on a connection of its own, a duplicate of it speaking RESP2 (ioredis drops RESP3
   * invalidation pushes), closed by `close()`.
   */
  client: Redis;
  /** Every key starting with it is tracked. */
  prefix: string;
  /** Told the keys Redis reports changed (deleted, overwritten, expired or evicted), by any client. */
  onChanged(keys: readonly string[]): void;
  /** How often the invalidations connection is checked; a check that fails stops trusting until one passes. */
  heartbeatMs?: number;
  /** Told once when tracking cannot be turned on (a Redis before 6, or a proxy that refuses CLIENT). */
  onError?: (error: unknown) => void;
}

/**
 * Redis's server-assisted client-side caching (CLIENT TRACKING in broadcast mode, redirected to a second connection):
 * Redis reports every change to a key under `prefix`, by any client, so a value read from it can be answered from
 * memory until it is reported changed.
 *
 * What was read may be trusted only while {@link active}, and only if {@link generation} did not change while the read
 * was in flight: a change reported then, or tracking lost and made again, may concern what was read. Everything read
 * before the current {@link session} is untrusted: the session changes whenever a report may have been missed (a
 * connection closed, a heartbeat failed, the whole database was flushed).
 */
export interface KeyTracking {
  readonly active: boolean;
  readonly session: number;
  readonly generation: number;
  /**
   * Reports keys this process is about to change, before the write is sent on the tracked connection: Redis reports
   * only other connections' writes (NOLOOP).
   */
  changing(keys: readonly string[]): void;
  /** Stops listening and closes the invalidations connection; the client stays open. */
  close(): Promise<void>;
}

/**
 * Turns tracking on as soon as both connections are ready, and again after either reconnects.
 *
 * @example
 * const tracking = trackKeys({ client, prefix: 'pic:url:', onChanged: (keys) => forget(keys) });
 */
export function trackKeys(options: KeyTrackingOptions): KeyTracking {
  const { client, prefix, onChanged, heartbeatMs = 1_000, onError = warnOnce } = options;
  if (client.isCluster) throw new TypeError('trackKeys: tracking is per Redis node; a Redis Cluster is not supported');
  // Not resubscribed by ioredis after a reconnect: CLIENT ID must come first, and a subscribed connection refuses it.
  const invalidations = client.duplicate({ protocol: 2, autoResubscribe: false, lazyConnect: false });
  // The client's own error events tell of an outage; this one's would say the same again.
  invalidations.on('error', () => {});
  let tracked = false;
  let healthy = true;
  let closed = false;
  let session = 0;
  let generation = 0;
  // A start in flight that a later stop or start replaced must not turn tracking on.
  let attempt = 0;
  let reported = false;

  const stop = (): void => {
    attempt++;
    tracked = false;
    session++;
    generation++;
  };

  async function start(): Promise<void> {
    const mine = ++attempt;
    if (closed || client.status !== 'ready' || invalidations.status !== 'ready') return;
    try {
      const id = await invalidations.client('ID');
      await invalidations.subscribe(INVALIDATE);
      // OFF first: ON again with a new REDIRECT is refused while broadcast tracking is on. NOLOOP: this process's own
      // writes are not reported back to it, since `changing` has marked them before they were sent.
      await client.client('TRACKING', 'OFF');
      await client.client('TRACKING', 'ON', 'REDIRECT', String(id), 'BCAST', 'PREFIX', prefix, 'NOLOOP');
    } catch (error) {
      if (!reported && client.status === 'ready' && invalidations.status === 'ready') {
        reported = true;
        onError(error);
      }
      return;
    }
    if (mine !== attempt || closed) return;
    tracked = true;
    healthy = true;
    session++;
    generation++;
  }

  const onMessage = (channel: Buffer, message: unknown): void => {
    if (closed || channel.toString() !== INVALIDATE) return;
    generation++;
    // A null message is FLUSHDB or FLUSHALL: every key changed.
    if (!Array.isArray(message)) session++;
    else onChanged(message.map(String));
  };

  let checking = false;
  const heartbeat = setInterval(() => {
    if (!tracked || checking) return;
    checking = true;
    // Replies on one connection come in order: once the PING is answered, every invalidation sent before it has been
    // handled. One that is not answered in time may hide lost reports: nothing read before it is trusted again.
    invalidations.ping().then(
      () => {
        checking = false;
        healthy = true;
      },
      () => {
        checking = false;
        healthy = false;
        session++;
        generation++;
      },
    );
  }, heartbeatMs);
  (heartbeat as { unref?: () => void }).unref?.();

  invalidations.on('messageBuffer', onMessage);
  for (const connection of [client, invalidations]) {
    connection.on('ready', start);
    connection.on('close', stop);
  }
  void start();

  return {
    get active() {
      return tracked && healthy && !closed;
    },
    get session() {
      return session;
    },
    get generation() {
      return generation;
    },
    changing(keys) {
      generation++;
      onChanged(keys);
    },
    async close() {
      if (closed) return;
      closed = true;
      stop();
      clearInterval(heartbeat);
      invalidations.off('messageBuffer', onMessage);
      for (const connection of [client, invalidations]) {
        connection.off('ready', start);
        connection.off('close', stop);
      }
      await Promise.allSettled([
        client.client('TRACKING', 'OFF'),
        invalidations.quit().catch(() => invalidations.disconnect()),
      ]);
    },
  };
}

function warnOnce(error: unknown): void {
  console.warn('[redis] lookups ask Redis every time: CLIENT TRACKING failed:', (error as Error)?.message ?? error);
}
