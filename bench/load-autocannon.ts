import { createRequire } from 'node:module';

/** The part of autocannon's result used here (it ships no types). */
interface AutocannonResult {
  latency: { p50: number; p99: number };
  requests: { average: number; total: number };
  duration: number;
  /** Connection errors, timeouts included. */
  errors: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}
type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** What one load run measured. */
export interface LoadResult {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  perSecond: number;
  /** Connection errors, timeouts and 5xx answers. */
  errors: number;
  /** Answers by status code. */
  statuses: Record<string, number>;
  seconds: number;
}

/**
 * Sends `amount` GETs over `connections` kept-alive connections with autocannon, each to the path `nextPath()`
 * names at the moment it is sent.
 */
export async function load(
  base: string,
  { amount, connections, nextPath }: { amount: number; connections: number; nextPath: () => string },
): Promise<LoadResult> {
  const result = await autocannon({
    url: base,
    connections,
    amount,
    timeout: 10,
    requests: [{ method: 'GET', setupRequest: (request: AutocannonRequest) => ({ ...request, path: nextPath() }) }],
  });
  const statuses = Object.fromEntries(
    Object.entries(result.statusCodeStats).map(([code, { count }]) => [code, Number(count)]),
  );
  const fiveHundreds = Object.entries(statuses)
    .filter(([code]) => code.startsWith('5'))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    requests: result.requests.total,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    perSecond: result.requests.total / result.duration,
    errors: result.errors + fiveHundreds,
    statuses,
    seconds: result.duration,
  };
}
