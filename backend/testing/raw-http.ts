import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';

/** A raw HTTP/1.1 connection to a test service, for requests `fetch` cannot make: held open, sent in part, cut off. */
export interface RawConnection {
  socket: Socket;
  /** Everything the service has sent so far, as latin1. */
  received(): string;
  /** The status of the answer, once its first line has arrived. */
  status(): number | undefined;
  /** Whether the service (or this side) has closed the connection. */
  closed(): boolean;
  /** Resolves once the connection has closed. */
  whenClosed: Promise<void>;
}

/** Connects to `base` (an http://127.0.0.1:port URL) and resolves once connected; `send` is written at once. */
export async function rawConnection(base: string, send?: string | Uint8Array): Promise<RawConnection> {
  const socket = connect(Number(new URL(base).port), '127.0.0.1');
  let received = '';
  let closed = false;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (received += chunk));
  // A refused upload is closed while it is still being written: that is expected here, not a failure.
  socket.on('error', () => {});
  const whenClosed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closed = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  if (send !== undefined) socket.write(send);
  return {
    socket,
    received: () => received,
    status: () => {
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(received);
      return match ? Number(match[1]) : undefined;
    },
    closed: () => closed,
    whenClosed,
  };
}

/**
 * Whether the server has accepted the connection `socket` made (Linux): the kernel completes the handshake before the
 * server accepts, and a connection still in the listen queue has no socket inode in `/proc/net/tcp` yet.
 */
export function isAccepted(socket: Socket): boolean {
  const hexPort = (port: number | undefined) => `:${(port ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  const [server, client] = [hexPort(socket.remotePort), hexPort(socket.localPort)];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      // sl, local address, remote address, st, queues, tr, retrnsmt, uid, timeout, inode
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(server) && fields[2]?.endsWith(client) && fields[9] !== '0') return true;
    }
  }
  return false;
}

/** The head of a request, ready to write: `headers` after Host. */
export function requestHead(method: string, path: string, headers: Record<string, string | number> = {}): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
}
