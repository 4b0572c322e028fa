import { createServer, request, type Server } from 'node:http';
import { freePort } from '../../backend/testing/free-port.ts';

/** A page origin in front of the image service: serves the given pages itself and counts what it forwards. */
export interface CountingProxy {
  base: string;
  /** `METHOD path` of every request that went on to the service, in order. */
  forwarded: string[];
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 that answers `pages` (path → HTML) and forwards everything else to `target`. */
export async function startCountingProxy(target: string, pages: Record<string, string>): Promise<CountingProxy> {
  const forwarded: string[] = [];
  const server: Server = createServer((req, res) => {
    const page = pages[req.url ?? ''];
    if (page !== undefined) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' });
      return res.end(page);
    }
    forwarded.push(`${req.method} ${req.url}`);
    // The Host header goes along, as a reverse proxy sends it: the service then names URLs on this origin.
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${port}`,
    forwarded,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
