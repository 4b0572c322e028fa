/** Lookups sent for what the page showed at once, and how many users they asked for in all. */
export interface LookupBurst {
  requests: number;
  users: number;
}

/** The most users one lookup asks for: the service's limit, which the store's batches keep to. */
export const USERS_PER_LOOKUP = 100;

/**
 * A lookup that starts within this of the one before it was sent for the same showing: the tasks of one render (a
 * list appended item by item, a framework yielding every 5 ms) come closer together, while an IntersectionObserver
 * brings a scrolled list's pictures in at most once a frame (8.3 ms at 120 Hz), and a person scrolling is not
 * showing them at once.
 */
const AT_ONCE_MS = 6;

/**
 * The burst of lookups (`GET {apiBase}/pictures?users=…`) with the most requests beyond the users it asked for
 * (one request per {@link USERS_PER_LOOKUP}), read from the page's Resource Timing entries; `undefined` when every
 * burst took as few requests as it could. Such a burst means elements shown together asked separately, which one
 * `store.prefetch(ids)` would have made a single request.
 */
export function wastefulLookupBurst(apiBases: readonly string[], entries: readonly PerformanceEntry[]): LookupBurst | undefined {
  const prefixes = apiBases.map((apiBase) => new URL(`${apiBase}/pictures?users=`, location.href).href);
  const lookups = entries.filter(({ name }) => prefixes.some((prefix) => name.startsWith(prefix))).sort((a, b) => a.startTime - b.startTime);
  const bursts: LookupBurst[] = [];
  let last = -Infinity;
  for (const { name, startTime } of lookups) {
    if (startTime - last > AT_ONCE_MS) bursts.push({ requests: 0, users: 0 });
    last = startTime;
    const burst = bursts.at(-1)!;
    burst.requests++;
    burst.users += new URL(name).searchParams.get('users')!.split(',').length;
  }
  return bursts.filter((burst) => excess(burst) > 0).sort((a, b) => excess(b) - excess(a))[0];
}

const excess = ({ requests, users }: LookupBurst) => requests - Math.ceil(users / USERS_PER_LOOKUP);
