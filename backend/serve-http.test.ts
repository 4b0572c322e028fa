// The HTTP server under the service: a refusal that closes the connection before the request's body has arrived
// closes it in stages when asked to (Node), so a client still sending that body is not reset and reads the answer.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { serveHttp } from './serve-http.ts';
import { requestHead } from './testing/raw-http.ts';

/** Answers every request 429 with `Connection: close`, reading none of its body, as a refused upload is. */
async function refusing(lingerMs: number) {
  let listening!: (port: number) => void;
  const port = new Promise<number>((resolve) => (listening = resolve));
  const http = serveHttp({
    fetch: () => new Response('{"error":{}}', { status: 429, headers: { Connection: 'close' } }),
    hostname: '127.0.0.1',
    port: 0,
    headersTimeoutMs: 5_000,
    uploadTimeoutMs: 5_000,
    lingerMs,
    onListen: (p) => listening(p),
  });
  return { port: await port, http };
}

/**
 * Sends a request head for a 1 MiB body, waits for the whole answer and the server's end of it, then sends the body
 * and ends: what a client does whose upload was refused while its body was still on the way. Resolves with what it
 * read and the error its socket met, if any.
 */
async function lateBody(port: number): Promise<{ received: string; error?: string }> {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  let received = '';
  let error: string | undefined;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (received += chunk));
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
  socket.write(requestHead('PUT', '/upload', { 'Content-Length': 1024 * 1024 }));
  await new Promise((resolve) => socket.once('end', resolve));
  // The server's side is closed; a moment for a server that closes at once to be gone before the body arrives.
  await new Promise((resolve) => setTimeout(resolve, 100));
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.end(new Uint8Array(1024 * 1024));
  });
  return { received, error };
}

test('with lingerMs, a client still sending its body after a refusal reads the 429 and is not reset', async () => {
  const { port, http } = await refusing(2_000);
  try {
    const { received, error } = await lateBody(port);
    assert.match(received, /^HTTP\/1\.1 429 /);
    assert.equal(error, undefined, 'the connection was reset');
  } finally {
    await http.stop();
  }
});

test('without it (Node closes at once), the same client is reset: what the lingering prevents', async () => {
  const { port, http } = await refusing(0);
  try {
    const { received, error } = await lateBody(port);
    assert.match(received, /^HTTP\/1\.1 429 /);
    assert.match(error ?? '', /^(ECONNRESET|EPIPE)$/);
  } finally {
    await http.stop();
  }
});

test('a refused client that keeps trickling its body is closed once lingerMs have passed', async () => {
  const { port, http } = await refusing(300);
  try {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    socket.on('error', () => {});
    socket.write(requestHead('PUT', '/upload', { 'Content-Length': 1024 * 1024 }));
    const trickle = setInterval(() => socket.write(Uint8Array.of(1)), 50);
    const started = performance.now();
    await new Promise((resolve) => socket.once('close', resolve));
    clearInterval(trickle);
    const ms = performance.now() - started;
    assert.ok(ms >= 250, `closed after ${ms.toFixed(0)} ms, before lingering`);
  } finally {
    await http.stop();
  }
});
