import type { Admission, Release } from '../concurrency.ts';
import { ApiError } from '../errors.ts';

/** What a refused request is told: why (naming the setting), and when to try again. */
export interface Refusal {
  /** The client holds its share already (429). */
  client: string;
  /** Every place is taken (503). */
  total: string;
  retryAfterSeconds: number;
}

/**
 * Takes a place in `admission` for the request's client, or refuses at once: 429 when the client holds its share,
 * 503 when the service holds all it may. Both close the connection, so a flood of refused requests does not keep
 * sockets (and their file descriptors) open for the next one.
 */
export function admit(admission: Admission, client: string | undefined, refusal: Refusal, cost?: number): Release {
  const entered = admission.enter(client, cost);
  if (typeof entered === 'function') return entered;
  const headers = { 'Retry-After': String(refusal.retryAfterSeconds), Connection: 'close' };
  if (entered === 'client') throw new ApiError(429, 'too_many_requests', refusal.client, { headers });
  throw new ApiError(503, 'server_busy', refusal.total, { headers });
}
