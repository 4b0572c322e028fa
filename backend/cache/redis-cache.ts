import type { Cluster, Redis } from 'ioredis';
import type { CachedPicture, LookupCache } from './cache.ts';
import { createLru } from './lru.ts';
import type { RedisClient } from './redis-client.ts';
import { trackKeys } from './redis-tracking.ts';
import { checkTtl, frozenCopy, isCachedPicture, parseJson, toCount } from './shared.ts';

export interface RedisCacheOptions {
  /**
   * Created and closed by the runtime entry: a `Redis` with `redisClientOptions()`, or a `Cluster` with
   * `redisClusterOptions()` (both in `redis-client.ts`).
   */
  client: RedisClient;
  /** Prepended to every key, so several services can share one Redis. */
  prefix?: string;
  /** How long counts wait in this process before they are added to the shared totals. */
  flushIntervalMs?: number;
  /** How many entries' last value this process keeps parsed, to answer an unchanged one without parsing it again. */
  parsedEntries?: number;
  /**
   * Answer an entry read once from this process, with no round trip, until Redis reports it changed by any instance,
   * expired, or a report may have been lost (CLIENT TRACKING, on a second connection this cache opens and closes). A
   * single Redis only, version 6 or later; where tracking is refused, every lookup asks Redis, as without it.
   */
  track?: boolean;
}

/** An entry's text as Redis answered it, its value, and whether Redis will report its change. */
interface Parsed {
  raw: string;
  value: CachedPicture;
  /** The tracking session in which Redis promised to report a change; -1 when it did not. */
  trusted: number;
  /** When the entry expires in Redis (epoch ms), as far as this process knows. */
  until: number;
}

/**
 * A {@link LookupCache} in Redis, shared by every instance. Keys: `{prefix}url:{userId}` holds the lookup as JSON
 * (`null` for "no picture") with a PX expiry; `{prefix}stats:hits` and `{prefix}stats:misses` hold the totals of all
 * instances. `getMany` is a single MGET on one Redis; on a Redis Cluster it is one GET per user, which auto-pipelining
 * sends as one pipeline per master. `count` only adds to counters in this process, which are sent about once a second
 * and before `stats()`, so a lookup costs no extra round trip; counts that cannot be sent are kept and sent later.
 * The values it answers are frozen, and the same object while an entry's text in Redis stays the same. With `track`,
 * an entry read once is answered from memory, with no round trip, until Redis reports it changed (`redis-tracking.ts`).
 * `close()` sends the counts and stops the timer (later counts are ignored); the client stays open: the entry that made
 * it quits it.
 *
 * @example
 * const cache = createRedisCache({ client });
 * const [ada, bob] = await cache.getMany(['ada', 'bob']); // one round trip
 */
export function createRedisCache(options: RedisCacheOptions): LookupCache {
  const { client, prefix = 'pic:', flushIntervalMs = 1_000, parsedEntries = 1_000, track = false } = options;
  if (typeof client?.mget !== 'function') {
    throw new TypeError('createRedisCache: `client` must be an ioredis client: new Redis(url, redisClientOptions())');
  }
  if (track && client.isCluster) {
    throw new TypeError('createRedisCache: `track` needs a single Redis (tracking is per node), not a Cluster');
  }
  const urlKey = (userId: string): string => `${prefix}url:${userId}`;
  const totalKeys = { hits: `${prefix}stats:hits`, misses: `${prefix}stats:misses` } as const;
  const urlPattern = `${escapeGlob(prefix)}url:*`;
  const pending = { hits: 0, misses: 0 };
  // The text Redis answered for a key and the frozen value parsed from it: the same text is answered with the same
  // value, without parsing and checking it again, and what is prepared from that value (routes/lookup-answers.ts) is
  // kept with it. Any other text is parsed: an entry changed anywhere is never answered from here.
  const parsed = createLru<Parsed>();
  const tracking = !track
    ? undefined
    : trackKeys({
        client: client as Redis,
        prefix: `${prefix}url:`,
        onChanged: (keys) => {
          for (const key of keys) {
            const entry = parsed.peek(key);
            if (entry) entry.trusted = -1;
          }
        },
      });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  // Counting walks the whole keyspace, and the stats route needs no login: callers share the walk in progress.
  let counting: Promise<number> | undefined;
  function countKeys(): Promise<number> {
    counting ??= scanCount().finally(() => (counting = undefined));
    return counting;
  }

  // SCAN, not KEYS: it does not block Redis on a large keyspace. A key may be seen twice while Redis rehashes;
  // an estimate is all `keys` promises. A cluster's keys are spread over its masters: each is walked.
  async function scanCount(): Promise<number> {
    const counts = await Promise.all(
      servers(client).map(async (server) => {
        let keys = 0;
        let cursor = '0';
        do {
          const [next, found] = await server.scan(cursor, 'MATCH', urlPattern, 'COUNT', 1_000);
          keys += found.length;
          cursor = next;
        } while (cursor !== '0');
        return keys;
      }),
    );
    return counts.reduce((sum, n) => sum + n, 0);
  }

  /** Every key's value when Redis will report a change to each and none has expired; otherwise undefined. */
  function trustedValues(keys: readonly string[], session: number): CachedPicture[] | undefined {
    const now = Date.now();
    const values: CachedPicture[] = [];
    for (const key of keys) {
      const entry = parsed.use(key);
      if (entry?.trusted !== session || entry.until <= now) return undefined;
      values.push(entry.value);
    }
    return values;
  }

  /**
   * The entries' texts, and while tracking their time to live in ms (-1: none) in the same round trip: an entry
   * answered from memory must stop at its expiry, which Redis reports only when it gets round to deleting the key.
   */
  async function read(keys: readonly string[]): Promise<[(string | null)[], number[] | undefined]> {
    // A cluster refuses an MGET across slots. Grouping by slot would not help: users' keys are spread over 16,384
    // slots, so a batch has about one key per slot. Hash-tagging every key into one slot would keep one MGET but
    // put the whole cache on one master. So one GET per key, sent per master in one pipeline.
    if (client.isCluster) return [await Promise.all(keys.map((key) => client.get(key))), undefined];
    if (!tracking?.active) return [await client.mget(keys as string[]), undefined];
    const pipeline = client.pipeline().mget(keys as string[]);
    for (const key of keys) pipeline.pttl(key);
    const replies = (await pipeline.exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
    const [[, raws], ...ttls] = replies as [unknown, unknown][];
    return [raws as (string | null)[], ttls.map(([, ttl]) => Number(ttl))];
  }

  function scheduleFlush(): void {
    if (closed || timer !== undefined || (pending.hits === 0 && pending.misses === 0)) return;
    timer = setTimeout(() => {
      timer = undefined;
      // A failed flush put its counts back; the next timer retries them. The client reports the outage itself.
      flush().then(scheduleFlush, scheduleFlush);
    }, flushIntervalMs);
    unrefTimer(timer);
  }

  /** Adds the pending counts to the totals; whatever fails to be added is pending again. */
  async function flush(): Promise<void> {
    const counters = (['hits', 'misses'] as const).map((name) => ({ name, n: pending[name] })).filter(({ n }) => n > 0);
    if (counters.length === 0) return;
    for (const { name } of counters) pending[name] = 0;
    const putBack = (name: 'hits' | 'misses', n: number): void => {
      pending[name] += n;
    };
    // Two commands, not one pipeline: on a cluster the two counters live in different slots. Sent together, they
    // cost one round trip.
    const results = await Promise.allSettled(counters.map(({ name, n }) => client.incrby(totalKeys[name], n)));
    let failure: unknown;
    counters.forEach(({ name, n }, i) => {
      const result = results[i]!;
      if (result.status === 'rejected') {
        putBack(name, n);
        failure ??= result.reason;
      }
    });
    if (failure) throw failure;
  }

  return {
    kind: 'redis',

    async getMany(userIds) {
      if (userIds.length === 0) return [];
      const keys = userIds.map(urlKey);
      if (tracking?.active) {
        const known = trustedValues(keys, tracking.session);
        if (known) return known;
      }
      const generation = tracking?.generation;
      const sentAt = Date.now();
      const [raws, ttls] = await read(keys);
      // Trusted only if Redis promised, before this read, to report the entries' changes and reported none since.
      const trusted = tracking?.active && tracking.generation === generation ? tracking.session : -1;
      return raws.map((raw, i): CachedPicture | undefined => {
        if (raw === null) return undefined;
        const key = keys[i]!;
        // -1: no expiry; -2: gone by the time PTTL ran, so already expired here.
        const ttl = ttls?.[i] ?? -1;
        const until = ttl === -1 ? Infinity : sentAt + ttl;
        const known = parsed.use(key);
        if (known?.raw === raw) {
          known.trusted = trusted;
          known.until = until;
          return known.value;
        }
        const value = parseJson(raw);
        if (isCachedPicture(value, userIds[i]!)) {
          const kept = frozenCopy(value);
          parsed.set(key, { raw, value: kept, trusted, until });
          while (parsed.size > parsedEntries) parsed.dropOldest();
          return kept;
        }
        // A value this code did not write is a miss; dropping it lets the next lookup cache a good one. Not awaited:
        // a lookup stays one round trip (a concurrent good `set` could be dropped too, which costs one miss).
        tracking?.changing([key]);
        client.del(key).catch(() => {});
        return undefined;
      });
    },

    async set(userId, value, ttlMs, { onlyIfAbsent = false } = {}) {
      checkTtl(ttlMs);
      const key = urlKey(userId);
      tracking?.changing([key]);
      const json = JSON.stringify(value);
      const px = Math.max(1, Math.round(ttlMs));
      // NX makes "only if absent" atomic against an upload's write from any instance.
      if (onlyIfAbsent) await client.set(key, json, 'PX', px, 'NX');
      else await client.set(key, json, 'PX', px);
    },

    async delete(userId) {
      const key = urlKey(userId);
      tracking?.changing([key]);
      await client.del(key);
    },

    count(h, m) {
      if (closed) return;
      pending.hits += toCount(h);
      pending.misses += toCount(m);
      scheduleFlush();
    },

    async stats() {
      await flush();
      const [hits, misses] = await Promise.all([client.get(totalKeys.hits), client.get(totalKeys.misses)]);
      return { hits: Number(hits ?? 0), misses: Number(misses ?? 0), keys: await countKeys() };
    },

    async ping() {
      const masters = servers(client);
      if (!masters.length) throw new Error('no Redis Cluster node is connected');
      for (const reply of await Promise.all(masters.map((server) => server.ping()))) {
        if (reply !== 'PONG') throw new Error(`Redis answered PING with ${String(reply)}`);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await tracking?.close();
      parsed.clear();
      clearTimeout(timer);
      timer = undefined;
      // Shutting down must not wait on a Redis that is away: counts that cannot be sent now are lost.
      await flush().catch(() => {});
    },
  };
}

/** Every server holding keys: the masters of a cluster, or the one Redis. */
function servers(client: RedisClient): Redis[] {
  return client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
}

/** The prefix as a literal in a SCAN MATCH pattern. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Lets the process exit while a flush is scheduled (Node's and Deno's timers both have `unref`). */
function unrefTimer(timer: unknown): void {
  if (typeof timer === 'object' && timer !== null && 'unref' in timer && typeof timer.unref === 'function') {
    timer.unref();
  }
}
