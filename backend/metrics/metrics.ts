import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * What an operator scrapes from `GET /metrics`, in Prometheus' text format. One registry per app, so several apps
 * in one process (tests, a host embedding the service) keep their own counts.
 */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** Lookups by kind (`single`, `batch`) and how the cache answered them (`hit`, `miss`, `bypass`). */
  readonly lookups: Counter<'kind' | 'result'>;
  /** How long lookups took, from the request to the answer. */
  readonly lookupSeconds: Histogram<'kind'>;
  /** How many users each batch lookup asked for. */
  readonly batchSize: Histogram;
  /** Uploads by outcome: `stored`, `refused` (a 4xx), `failed` (a 5xx). */
  readonly uploads: Counter<'outcome'>;
  /** Failures of a part the service depends on (`storage`, `cache`), as requests met them. */
  readonly partErrors: Counter<'part'>;
  /** Requests refused, by the error code answered (`unauthorized`, `payload_too_large`, …). */
  readonly refusals: Counter<'reason'>;
  /** Uploads whose request is still being answered. */
  readonly uploadsInFlight: Gauge;
  /** Bytes of upload bodies admitted and not yet let go (`MAX_UPLOAD_MEMORY_BYTES` bounds them). */
  readonly uploadBytesHeld: Gauge;
  /** Event streams open (`MAX_STREAMS` bounds them). */
  readonly eventStreams: Gauge;
  /**
   * Copies `/images/` answered with, by where their bytes came from: `memory` (the instance's), `shared` (a storage
   * read another request for the same copy had started), `storage`.
   */
  readonly copies: Counter<'from'>;
  /** Bytes of copies the instance keeps in memory (`COPY_MEMORY_BYTES` bounds them). */
  readonly copyMemoryBytes: Gauge;
}

/** Seconds, from a cached lookup (~0.2 ms) to one that waits on a slow store. */
const LOOKUP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** A batch holds at most MAX_BATCH (100) users. */
const BATCH_BUCKETS = [1, 2, 5, 10, 25, 50, 100];

/** A fresh registry with the service's metrics. `prefix` starts every name (default `pictures_`). */
export function createMetrics(prefix = 'pictures_'): ServiceMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    lookups: new Counter({
      name: `${prefix}lookups_total`,
      help: 'Lookups by kind (single, batch) and cache result (hit, miss, bypass).',
      labelNames: ['kind', 'result'],
      registers,
    }),
    lookupSeconds: new Histogram({
      name: `${prefix}lookup_duration_seconds`,
      help: 'Time to answer a lookup.',
      labelNames: ['kind'],
      buckets: LOOKUP_BUCKETS,
      registers,
    }),
    batchSize: new Histogram({
      name: `${prefix}batch_users`,
      help: 'Users asked for in one batch lookup.',
      buckets: BATCH_BUCKETS,
      registers,
    }),
    uploads: new Counter({
      name: `${prefix}uploads_total`,
      help: 'Uploads by outcome (stored, refused, failed).',
      labelNames: ['outcome'],
      registers,
    }),
    partErrors: new Counter({
      name: `${prefix}part_errors_total`,
      help: 'Requests that met a failing part (storage, cache).',
      labelNames: ['part'],
      registers,
    }),
    refusals: new Counter({
      name: `${prefix}refusals_total`,
      help: 'Requests refused, by error code.',
      labelNames: ['reason'],
      registers,
    }),
    uploadsInFlight: new Gauge({
      name: `${prefix}uploads_in_flight`,
      help: 'Uploads being received, decoded or stored.',
      registers,
    }),
    uploadBytesHeld: new Gauge({
      name: `${prefix}upload_bytes_held`,
      help: 'Bytes of upload bodies admitted and not yet let go (at most MAX_UPLOAD_MEMORY_BYTES).',
      registers,
    }),
    eventStreams: new Gauge({
      name: `${prefix}event_streams`,
      help: 'Event streams open (at most MAX_STREAMS).',
      registers,
    }),
    copies: new Counter({
      name: `${prefix}copies_served_total`,
      help: 'Copies answered by /images/, by where their bytes came from (memory, shared, storage).',
      labelNames: ['from'],
      registers,
    }),
    copyMemoryBytes: new Gauge({
      name: `${prefix}copy_memory_bytes`,
      help: 'Bytes of copies kept in memory (at most COPY_MEMORY_BYTES).',
      registers,
    }),
  };
}
