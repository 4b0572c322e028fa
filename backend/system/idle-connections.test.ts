// Connections that never finish their request head are closed, on Node and Deno alike (HEADERS_TIMEOUT_MS): one that
// sends part of a request line and stops, one that sends nothing, one that trickles a header line now and then. A
// request that did arrive (an event stream) is not cut off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { until } from '../../scripts/testing/wait.ts';
import { solidPng } from '../testing/images.ts';
import { rawConnection, requestHead, type RawConnection } from '../testing/raw-http.ts';
import { startEmbedded } from '../testing/stack.ts';
import { TEST_ADMIN_TOKEN } from '../testing/tokens.ts';

const HEADERS_TIMEOUT_MS = 1_000;

/** How long after `since` the connection was closed, waiting at most 10 s. */
async function closedAfter(connection: RawConnection, since: number): Promise<number> {
  await until(() => connection.closed(), 'the service to close the connection');
  return Date.now() - since;
}

for (const runtime of ['node', 'deno'] as const) {
  test(`${runtime}: a connection whose request head does not arrive within HEADERS_TIMEOUT_MS is answered 408 and closed; an open event stream is not`, async (t) => {
    const target = await startEmbedded(runtime, { HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS) });
    const stream = await rawConnection(target.base, requestHead('GET', '/api/events'));
    let trickle: ReturnType<typeof setInterval> | undefined;
    try {
      await until(() => stream.status() === 200, 'the stream to open');
      const started = Date.now();
      const partial = await rawConnection(target.base, 'GET /hea');
      const silent = await rawConnection(target.base);
      const slow = await rawConnection(target.base, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
      // A header line every 200 ms: bytes keep coming, the head never ends.
      trickle = setInterval(() => !slow.closed() && slow.socket.write(`X-Slow-${Date.now()}: 1\r\n`), 200);
      const [partialMs, silentMs, slowMs] = await Promise.all(
        [partial, silent, slow].map((c) => closedAfter(c, started)),
      );
      t.diagnostic(
        `${runtime}: HEADERS_TIMEOUT_MS=${HEADERS_TIMEOUT_MS}: part of a request line closed after ${partialMs} ms, nothing sent after ${silentMs} ms, a header line every 200 ms after ${slowMs} ms`,
      );
      for (const [what, ms] of [
        ['partial', partialMs],
        ['silent', silentMs],
        ['slow', slowMs],
      ] as const) {
        assert.ok(ms >= HEADERS_TIMEOUT_MS - 100 && ms < 3 * HEADERS_TIMEOUT_MS, `${what}: closed after ${ms} ms`);
      }
      assert.match(partial.received(), /^HTTP\/1\.1 408 /);
      assert.match(slow.received(), /^HTTP\/1\.1 408 /);

      // The stream, open since before all this and past the timeout, still carries events.
      assert.ok(Date.now() - started > HEADERS_TIMEOUT_MS);
      assert.equal(stream.closed(), false);
      const res = await fetch(`${target.base}/api/pictures/idle`, {
        method: 'PUT',
        body: solidPng([1, 2, 3]),
        headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
      assert.equal(res.status, 201);
      await until(() => stream.received().includes('"userId":"idle"'), 'the event on the stream');
    } finally {
      clearInterval(trickle);
      stream.socket.destroy();
      await target.stop();
    }
  });
}
