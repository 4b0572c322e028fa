import type { Context } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';

/** Long enough for any address; a proxy that forwards junk cannot make the per-client maps hold long keys. */
const MAX_KEY_LENGTH = 64;

/**
 * Who sent a request, as the key that per-client limits count by: the connection's peer address, which the runtime
 * entry reads (`connInfo`). Behind `trustProxy` proxies that each append to `X-Forwarded-For`, the address the
 * outermost of them saw instead; the entries before it are the client's own to write, so they are never used.
 * `undefined` for a request without a connection (the demo's seeding calls `app.fetch` inside the process).
 *
 * @example
 * const clientOf = clientAddress({ connInfo: getConnInfo, trustProxy: 1 });
 * clientOf(c); // '203.0.113.7', or '2001:db8:1:2::/64'
 */
export function clientAddress({
  connInfo,
  trustProxy = 0,
}: {
  connInfo?: GetConnInfo;
  trustProxy?: number;
}): (c: Context) => string | undefined {
  return (c) => {
    // The runtime's bindings are where connInfo reads the socket; a call from inside the process has none.
    if (!connInfo || !c.env) return undefined;
    const forwarded = trustProxy > 0 ? c.req.header('X-Forwarded-For') : undefined;
    const hops =
      forwarded
        ?.split(',')
        .map((hop) => hop.trim())
        .filter(Boolean) ?? [];
    const address = hops.length ? hops[Math.max(0, hops.length - trustProxy)] : connInfo(c).remote.address;
    return address === undefined ? undefined : clientKey(address);
  };
}

/**
 * One key per IPv4 address and per IPv6 /64, the block one subscriber is given: a client must not dodge its limit
 * by taking the next address of its own block. An IPv4 address mapped into IPv6 is the IPv4 address.
 */
export function clientKey(address: string): string {
  const bare = address
    .trim()
    .replace(/^\[([^\]]*)\](?::\d+)?$/, '$1')
    .replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1')
    .replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped) return mapped[1]!;
  if (!bare.includes(':')) return bare.slice(0, MAX_KEY_LENGTH);
  const [head, tail] = bare.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all =
    tail === undefined
      ? left
      : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  const prefix = all.slice(0, 4).map((group) => parseInt(group, 16).toString(16));
  return `${prefix.join(':')}::/64`.slice(0, MAX_KEY_LENGTH);
}
