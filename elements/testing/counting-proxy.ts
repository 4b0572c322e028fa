import { createServer, request, type Server, type ServerResponse } from 'node:http';
import { freePort } from '../../backend/testing/free-port.ts';
import { sleep } from '../../scripts/testing/wait.ts';

/** A page origin in front of the image service: serves the given pages itself and counts what it forwards. */
export interface CountingProxy {
  base: string;
  /** `METHOD path` of every request that went on to the service, in order. */
  forwarded: string[];
  /** Body bytes the service sent back through the proxy; set it to 0 to start counting anew. */
  bytes: number;
  /**
   * Requests (`METHOD path`) for which this answers true have their connection cut, as a network that just came back
   * may; they are not forwarded or counted.
   */
  cut?: (line: string) => boolean;
  /**
   * Forwarded HTML is sent in pieces, cut after each match of `after`, `pauseMs` apart, as a slow link delivers a page:
   * the browser parses and may paint each piece before the next arrives.
   */
  slowHtml?: { after: RegExp; pauseMs: number };
  close(): Promise<void>;
}

/** Paths under this prefix are forwarded without it, and answered as not cacheable (`no-store`, no validators). */
export const NO_STORE_PREFIX = '/no-store';

/**
 * Starts a proxy on 127.0.0.1 that answers `pages` (path → HTML, or JavaScript for a path ending in `.js`) and
 * forwards everything else to `target`.
 */
export async function startCountingProxy(target: string, pages: Record<string, string>): Promise<CountingProxy> {
  const server: Server = createServer((req, res) => {
    const page = pages[req.url ?? ''];
    if (page !== undefined) {
      // A page may be a script (a worker the page registers): served as one, or the browser refuses it.
      const type = req.url?.endsWith('.js') ? 'text/javascript' : 'text/html';
      res.writeHead(200, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-cache' });
      return res.end(page);
    }
    const line = `${req.method} ${req.url}`;
    if (proxy.cut?.(line)) return req.socket.destroy();
    proxy.forwarded.push(line);
    const noStore = req.url?.startsWith(`${NO_STORE_PREFIX}/`);
    const path = noStore ? req.url!.slice(NO_STORE_PREFIX.length) : req.url;
    // The Host header goes along, as a reverse proxy sends it: the service then names URLs on this origin.
    const upstream = request(`${target}${path}`, { method: req.method, headers: req.headers }, (answer) => {
      const headers = { ...answer.headers };
      if (noStore) {
        headers['cache-control'] = 'no-store';
        delete headers.etag;
        delete headers['last-modified'];
      }
      res.writeHead(answer.statusCode ?? 502, headers);
      answer.on('data', (chunk: Buffer) => (proxy.bytes += chunk.length));
      const slow = proxy.slowHtml;
      if (!slow || !headers['content-type']?.startsWith('text/html')) return void answer.pipe(res);
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      // As latin1, one character a byte: the pieces are the service's bytes whatever its encoding.
      answer.on('end', () => void sendInPieces(Buffer.concat(chunks).toString('latin1'), res, slow));
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const proxy: CountingProxy = {
    base: `http://127.0.0.1:${port}`,
    forwarded: [],
    bytes: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  return proxy;
}

/** Writes `html` to `res` in pieces, cut after each match of `after`, `pauseMs` apart. */
async function sendInPieces(
  html: string,
  res: ServerResponse,
  { after, pauseMs }: NonNullable<CountingProxy['slowHtml']>,
): Promise<void> {
  let from = 0;
  for (const match of html.matchAll(new RegExp(after.source, 'g'))) {
    const to = match.index + match[0].length;
    res.write(html.slice(from, to), 'latin1');
    from = to;
    await sleep(pauseMs);
    if (res.destroyed) return;
  }
  res.end(html.slice(from), 'latin1');
}
