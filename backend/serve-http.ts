import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { serve } from '@hono/node-server';

/** The service's own 408, which says why, comes before the server's bare one, which is only the backstop. */
const BACKSTOP_MS = 1_000;

/** A running HTTP server and how to stop it. */
export interface HttpService {
  /** Stops accepting, lets the requests in flight finish, closes the connections left; resolves once all are closed. */
  stop(): Promise<void>;
}

/**
 * Serves `fetch` over `node:http`, the same server on Node and on Deno (whose `node:http` is Node's, timeouts and
 * all; `Deno.serve` has no timeout for a request's head as of Deno 2.9). A connection whose request head has not
 * arrived `headersTimeoutMs` after it began is answered 408 and closed; a whole request gets that and
 * `uploadTimeoutMs` for its body, after which the service's own 408 has already answered it.
 *
 * @example
 * const http = serveHttp({ fetch: app.fetch, hostname: '127.0.0.1', port: 8787, headersTimeoutMs: 20_000, uploadTimeoutMs: 120_000, onListen: console.log });
 * await http.stop();
 */
export function serveHttp(options: {
  fetch: Parameters<typeof serve>[0]['fetch'];
  hostname: string;
  port: number;
  headersTimeoutMs: number;
  uploadTimeoutMs: number;
  /**
   * How long a connection answered with `Connection: close` keeps reading (and dropping) what its client still
   * sends before it closes, as nginx's `lingering_timeout` does (default 0: it closes at once). Node's `node:http`
   * closes at once with a body still arriving, so the kernel answers that body with a reset, and a client still
   * writing it can lose the answer (a 429, a 503) that had already reached it. Deno's `node:http` is its own and
   * does not lose it.
   */
  lingerMs?: number;
  onListen(port: number): void;
}): HttpService {
  const { fetch, hostname, port, headersTimeoutMs, uploadTimeoutMs, lingerMs = 0, onListen } = options;
  const server = serve(
    {
      fetch,
      hostname,
      port,
      serverOptions: {
        headersTimeout: headersTimeoutMs,
        requestTimeout: headersTimeoutMs + uploadTimeoutMs + BACKSTOP_MS,
        // Node looks for expired connections every 30 s unless told otherwise, which would stretch a short timeout.
        connectionsCheckingInterval: Math.min(1_000, Math.ceil(headersTimeoutMs / 2)),
      },
    },
    (info) => onListen(info.port),
  ) as Server;

  // A connection that has sent nothing yet (a browser's preconnect) counts as busy to Node, so a stop would wait
  // for the client to close it.
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // node:http ends a `Connection: close` answer with destroySoon(): close in stages instead (RFC 9112 §9.6).
    if (lingerMs > 0) socket.destroySoon = () => linger(socket, lingerMs);
  });

  return {
    stop() {
      return new Promise((resolve) => {
        // close() drops the connections idle now; these finish their last answer (an event stream) a moment later.
        const sweep = setInterval(() => {
          server.closeIdleConnections();
          for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy();
        }, 50);
        server.close(() => {
          clearInterval(sweep);
          resolve();
        });
      });
    },
  };
}

/**
 * Sends the end of the answer, then drops what the client still sends until it ends its side too or `ms` have
 * passed, and only then closes: the client reads the whole answer before anything could reset the connection.
 */
function linger(socket: Socket, ms: number): void {
  socket.end();
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), ms);
  socket.once('end', () => socket.destroy());
  socket.once('close', () => clearTimeout(timer));
}
