// Stopping the service: an open event stream or an unused connection must not keep it alive, and HEAD requests
// must not hold files open.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { test } from 'node:test';
import { until } from '../../scripts/testing/wait.ts';
import { WHOLE_COPY_BYTES } from '../storage/storage.ts';
import { noisyPng } from '../testing/images.ts';
import { openEventStream } from '../testing/event-stream.ts';
import { isAccepted } from '../testing/raw-http.ts';
import { startEmbedded } from '../testing/stack.ts';
import { upload } from '../testing/upload.ts';

for (const runtime of ['node', 'deno'] as const) {
  test(`${runtime}: SIGTERM stops the service promptly while an event stream is open`, async () => {
    const target = await startEmbedded(runtime);
    const stream = await openEventStream(target.base);
    const started = Date.now();
    await target.stop();
    const took = Date.now() - started;
    assert.ok(took < 4_000, `stopped in ${took} ms (the service gives up on stuck requests after 5 s)`);
    assert.equal(await stream.ended(), true, 'the stream was ended, not left hanging');
  });

  test(`${runtime}: SIGTERM finishes cleanly while a connection that sent no request is open (a preconnect)`, async () => {
    const target = await startEmbedded(runtime);
    const { hostname, port } = new URL(target.base);
    const socket = connect({ host: hostname, port: Number(port) });
    socket.on('error', () => {});
    await new Promise((resolve) => socket.once('connect', resolve));
    // The kernel completes the handshake before the service accepts; a connection still queued would just be reset.
    await until(() => isAccepted(socket), 'the service to accept the connection');
    try {
      assert.equal(await target.service.stop(), 0, 'it did not wait for the connection until its 5-second deadline');
    } finally {
      socket.destroy();
      await target.stop();
    }
  });
}

test('HEAD /images/… of a copy too large to read whole answers the headers and releases the file it opened', async () => {
  const target = await startEmbedded('node', { MAX_UPLOAD_BYTES: String(4 * 1024 * 1024) });
  try {
    // Noise compresses badly, so its widest copy is past WHOLE_COPY_BYTES: streamed, from a file held open.
    const meta = await upload(target.base, 'ada', noisyPng(5, 600));
    const widest = meta.variants.at(-1)!;
    assert.ok(widest.bytes > WHOLE_COPY_BYTES, `the ${widest.width}-px copy is ${widest.bytes} B`);
    const openFiles = () => readdirSync(`/proc/${target.service.pid}/fd`).length;
    const before = openFiles();
    for (let i = 0; i < 100; i++) {
      const head = await fetch(new URL(widest.url, target.base), { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('Content-Length'), String(widest.bytes));
      assert.equal(await head.text(), '');
    }
    assert.ok(openFiles() - before < 10, `open files went from ${before} to ${openFiles()}`);
  } finally {
    await target.stop();
  }
});
