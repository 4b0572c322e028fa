import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep, until } from '../../scripts/testing/wait.ts';
import {
  BodyAbortedError,
  EmptyBodyError,
  PayloadTooLargeError,
  readLimited,
  UploadTimeoutError,
} from './read-limited.ts';

const MiB = 1024 * 1024;

/** A stream of the given chunks, pulled one at a time. */
function streamOf(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

/**
 * A body that would produce `total` bytes in 1 MiB chunks (the same buffer re-sent, so the test itself
 * allocates nothing), counting how many chunks were pulled and whether it was cancelled.
 */
function hugeBody(total: number) {
  const chunk = new Uint8Array(MiB).fill(7);
  const state = { pulled: 0, cancelled: false, reason: undefined as unknown };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.pulled * MiB >= total) return controller.close();
        state.pulled++;
        controller.enqueue(chunk);
      },
      cancel(reason) {
        state.cancelled = true;
        state.reason = reason;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

test('a body under the limit is read whole, chunks joined in order', async () => {
  const result = await readLimited(streamOf(Uint8Array.of(1, 2), Uint8Array.of(3), Uint8Array.of(4, 5, 6)), 10);
  assert.deepEqual(result, Uint8Array.of(1, 2, 3, 4, 5, 6));
});

test('a body of exactly the limit is accepted', async () => {
  const result = await readLimited(streamOf(new Uint8Array(4), new Uint8Array(6)), 10);
  assert.equal(result.length, 10);
});

test('one byte over the limit is refused, naming the limit and MAX_UPLOAD_BYTES', async () => {
  await assert.rejects(readLimited(streamOf(new Uint8Array(4), new Uint8Array(7)), 10), (error: unknown) => {
    assert.ok(error instanceof PayloadTooLargeError);
    assert.equal(error.limit, 10);
    assert.match(error.message, /10-byte limit/);
    assert.match(error.message, /MAX_UPLOAD_BYTES/);
    return true;
  });
});

test('a 2 GiB body is cancelled right after the limit, not read to the end', async () => {
  const { stream, state } = hugeBody(2048 * MiB);
  await assert.rejects(readLimited(stream, 5 * MiB), PayloadTooLargeError);
  // 5 chunks fit, the 6th crosses the limit; nothing after it is asked for.
  assert.equal(state.pulled, 6);
  assert.equal(state.cancelled, true);
  assert.ok(state.reason instanceof PayloadTooLargeError);
});

test('a real Request body is read, and refused when too large', async () => {
  const picture = new Uint8Array(3000).map((_, i) => i & 0xff);
  const request = () => new Request('http://127.0.0.1/upload', { method: 'PUT', body: picture });
  assert.deepEqual(await readLimited(request().body, 3000), picture);
  await assert.rejects(readLimited(request().body, 2999), PayloadTooLargeError);
});

test('a missing or empty body is refused with a clear message', async () => {
  const isEmpty = (error: unknown) =>
    error instanceof EmptyBodyError && /the request has no image bytes/.test(error.message);
  await assert.rejects(readLimited(null, 10), isEmpty);
  await assert.rejects(readLimited(streamOf(), 10), isEmpty);
  await assert.rejects(readLimited(streamOf(new Uint8Array(0), new Uint8Array(0)), 10), isEmpty);
  await assert.rejects(readLimited(new Request('http://127.0.0.1/', { method: 'POST', body: '' }).body, 10), isEmpty);
});

test('the result is a fresh copy, not a view of the stream buffer', async () => {
  const chunk = Uint8Array.of(1, 2, 3);
  const result = await readLimited(streamOf(chunk), 10);
  chunk[0] = 9;
  assert.deepEqual(result, Uint8Array.of(1, 2, 3));
  assert.equal(result.byteOffset, 0);
  assert.equal(result.buffer.byteLength, 3);
});

test('a stream error (the client went away) is a BodyAbortedError caused by it, and the stream is released', async () => {
  const boom = new Error('connection reset');
  let pulls = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulls++ === 0) controller.enqueue(Uint8Array.of(1));
      else controller.error(boom);
    },
  });
  await assert.rejects(
    readLimited(stream, 10),
    (error: unknown) => error instanceof BodyAbortedError && error.cause === boom && error.received === 1,
  );
  assert.equal(stream.locked, false);
});

test('a chunk that is not bytes cannot slip past the limit', async () => {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue('x'.repeat(100) as unknown as Uint8Array);
      controller.close();
    },
  });
  await assert.rejects(readLimited(stream, 10), TypeError);
});

test('a limit that is not a whole number of bytes is a programming error', async () => {
  for (const limit of [-1, 1.5, NaN, Infinity]) {
    await assert.rejects(readLimited(streamOf(Uint8Array.of(1)), limit), RangeError);
  }
});

/** A body that sends one byte every `everyMs`, `count` times, and says whether it was cancelled. */
function trickle(count: number, everyMs: number) {
  const state = { sent: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (state.sent === count) return controller.close();
        await sleep(everyMs); // a rate: one byte every everyMs
        state.sent++;
        controller.enqueue(Uint8Array.of(state.sent));
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

test('a body that trickles past timeoutMs is cut off with UploadTimeoutError, and the stream cancelled', async () => {
  const { stream, state } = trickle(1_000, 20);
  await assert.rejects(readLimited(stream, 10_000, { timeoutMs: 150 }), (error: unknown) => {
    assert.ok(error instanceof UploadTimeoutError);
    assert.match(error.message, /UPLOAD_TIMEOUT_MS/);
    return true;
  });
  assert.ok(state.sent < 1_000, `${state.sent} bytes were read, not all`);
  await until(() => state.cancelled, 'the stream to be cancelled');
});

test('a body that ends within timeoutMs is read whole; a timeout that is not positive is refused', async () => {
  const { stream } = trickle(5, 1);
  assert.deepEqual([...(await readLimited(stream, 100, { timeoutMs: 5_000 }))], [1, 2, 3, 4, 5]);
  await assert.rejects(readLimited(streamOf(Uint8Array.of(1)), 100, { timeoutMs: 0 }), RangeError);
});
