// Event streams are bounded: one address opening hundreds of `/api/events` streams holds at most
// MAX_STREAMS_PER_CLIENT of them, the rest are refused at once, the service keeps answering and its memory stays put;
// behind a trusted proxy each forwarded client has its own share; and what an open stream costs, measured.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_MAX_STREAMS_PER_CLIENT } from '../config.ts';
import { until } from '../../scripts/testing/wait.ts';
import { solidPng } from '../testing/images.ts';
import { HEAP_PROBE_ENV, heapUsed, mib, settledRss } from '../testing/process-memory.ts';
import { rawConnection, requestHead, type RawConnection } from '../testing/raw-http.ts';
import { startEmbedded } from '../testing/stack.ts';
import { TEST_ADMIN_TOKEN } from '../testing/tokens.ts';

const MiB = 1024 * 1024;

/** Opens `count` streams at once, each on its own connection, and resolves once every one has its answer's status. */
async function openStreams(
  base: string,
  count: number,
  headers: (i: number) => Record<string, string> = () => ({}),
): Promise<RawConnection[]> {
  const connections = await Promise.all(
    Array.from({ length: count }, (_, i) => rawConnection(base, requestHead('GET', '/api/events', headers(i)))),
  );
  await until(() => connections.every((c) => c.status() !== undefined), `answers to ${count} streams`, 30_000);
  return connections;
}

/** The streams the service says it holds open, from `GET /metrics`. */
async function serverStreams(base: string): Promise<number> {
  const text = await (
    await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })
  ).text();
  return Number(/^pictures_event_streams (\d+)$/m.exec(text)?.[1]);
}

/** How long `/healthz` takes to answer, in ms. */
async function healthzMs(base: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${base}/healthz`);
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  return performance.now() - started;
}

const statuses = (connections: RawConnection[]) => connections.map((c) => c.status());
const count = (connections: RawConnection[], status: number) =>
  statuses(connections).filter((s) => s === status).length;

describe('event streams are bounded', () => {
  for (const runtime of ['node', 'deno'] as const) {
    test(`${runtime}: 300 streams from one address hold at most MAX_STREAMS_PER_CLIENT; the rest get 429 at once; /healthz stays quick and memory stays put`, async (t) => {
      const target = await startEmbedded(runtime);
      let connections: RawConnection[] = [];
      try {
        // Warm: the route, the stream and the upload path have run once before memory is measured.
        await openStreams(target.base, 1).then(([c]) => c!.socket.destroy());
        const before = await settledRss(target.service.pid);
        connections = await openStreams(target.base, 300);
        const held = count(connections, 200);
        assert.equal(held, DEFAULT_MAX_STREAMS_PER_CLIENT, `answers: ${statuses(connections).join(' ')}`);
        assert.equal(count(connections, 429), 300 - held);
        const refused = connections.find((c) => c.status() === 429)!;
        assert.match(refused.received(), /\r\nretry-after: 60\r\n/i);
        assert.match(refused.received(), /"code":"too_many_requests"/);
        assert.match(refused.received(), /MAX_STREAMS_PER_CLIENT/);
        // Refused connections are closed, not left for the next request: their descriptors are free again.
        await until(
          () => connections.every((c) => c.status() === 200 || c.closed()),
          'the refused connections to close',
        );
        assert.equal(await serverStreams(target.base), held, 'the service holds what its clients see');
        const healthz = await healthzMs(target.base);
        const after = await settledRss(target.service.pid);
        t.diagnostic(
          `${runtime}: 300 attempts → ${held} streams held, ${300 - held} refused (429); /healthz in ${healthz.toFixed(1)} ms; RSS ${mib(before)} → ${mib(after)} (+${mib(after - before)})`,
        );
        assert.ok(healthz < 1_000, `/healthz took ${healthz} ms`);
        assert.ok(after - before < 64 * MiB, `RSS grew by ${mib(after - before)}`);

        // The held streams still carry events, every one of them.
        const upload = await fetch(`${target.base}/api/pictures/streamed`, {
          method: 'PUT',
          body: solidPng([1, 2, 3]),
          headers: { Authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        });
        assert.equal(upload.status, 201);
        const open = connections.filter((c) => c.status() === 200);
        await until(
          () => open.every((c) => c.received().includes('"userId":"streamed"')),
          'the event on every held stream',
        );

        // Closed streams give their places back.
        for (const c of open) c.socket.destroy();
        await until(async () => (await serverStreams(target.base)) === 0, 'the closed streams to be let go');
        const [again] = await openStreams(target.base, 1);
        again!.socket.destroy();
        assert.equal(again!.status(), 200);
        assert.doesNotMatch(target.service.output(), /MaxListenersExceededWarning|memory leak/);
      } finally {
        for (const c of connections) c.socket.destroy();
        await target.stop();
      }
    });
  }

  test('behind a trusted proxy (TRUST_PROXY=1) each forwarded client has its own share, and MAX_STREAMS bounds them all with 503; without it, X-Forwarded-For is ignored', async () => {
    const limits = { MAX_STREAMS_PER_CLIENT: '2', MAX_STREAMS: '5' };
    const proxied = await startEmbedded('node', { ...limits, TRUST_PROXY: '1' });
    const direct = await startEmbedded('node', limits);
    const connections: RawConnection[] = [];
    try {
      // HEAD answers the headers alone and holds no place.
      for (let i = 0; i < 6; i++)
        assert.equal(
          (
            await fetch(`${proxied.base}/api/events`, {
              method: 'HEAD',
              headers: { 'X-Forwarded-For': '198.51.100.1' },
            })
          ).status,
          200,
        );
      // The first entry is the client's own to write; the last is what the proxy saw.
      const from = (address: string) => ({ 'X-Forwarded-For': `203.0.113.99, ${address}` });
      const a = await openStreams(proxied.base, 3, () => from('198.51.100.1'));
      const b = await openStreams(proxied.base, 2, () => from('2001:db8:1:2::1'));
      // Another address of the same /64 is the same client.
      const sameBlock = await openStreams(proxied.base, 1, () => from('2001:db8:1:2:ffff::9'));
      const c = await openStreams(proxied.base, 2, () => from('198.51.100.3'));
      connections.push(...a, ...b, ...sameBlock, ...c);
      assert.deepEqual(statuses(a).sort(), [200, 200, 429]);
      assert.deepEqual(statuses(b), [200, 200]);
      assert.deepEqual(statuses(sameBlock), [429]);
      assert.deepEqual(statuses(c).sort(), [200, 503], 'the fifth stream fits, the sixth does not');
      const busy = c.find((x) => x.status() === 503)!;
      assert.match(busy.received(), /"code":"server_busy"/);
      assert.match(busy.received(), /\r\nretry-after: 60\r\n/i);

      const forged = await openStreams(direct.base, 3, (i) => ({ 'X-Forwarded-For': `198.51.100.${i}` }));
      connections.push(...forged);
      assert.deepEqual(statuses(forged).sort(), [200, 200, 429], 'a forged header does not make another client');
    } finally {
      for (const x of connections) x.socket.destroy();
      await Promise.all([proxied.stop(), direct.stop()]);
    }
  });

  for (const runtime of ['node', 'deno'] as const) {
    test(`${runtime}: what an open stream costs (500 streams held)`, async (t) => {
      const target = await startEmbedded(runtime, {
        MAX_STREAMS_PER_CLIENT: '500',
        MAX_STREAMS: '500',
        ...(runtime === 'node' ? HEAP_PROBE_ENV : {}),
      });
      let connections: RawConnection[] = [];
      try {
        await openStreams(target.base, 10).then((warm) => {
          for (const c of warm) c.socket.destroy();
        });
        await until(async () => (await serverStreams(target.base)) === 0, 'the warm-up streams to end');
        const heapBefore = runtime === 'node' ? await heapUsed(target.service) : undefined;
        const rssBefore = await settledRss(target.service.pid);
        connections = await openStreams(target.base, 500);
        assert.equal(count(connections, 200), 500);
        assert.equal(await serverStreams(target.base), 500);
        const rssAfter = await settledRss(target.service.pid);
        const rssEach = (rssAfter - rssBefore) / 500;
        if (heapBefore === undefined) {
          t.diagnostic(`${runtime}: an open stream costs ${(rssEach / 1024).toFixed(1)} KiB of RSS`);
        } else {
          const heapEach = ((await heapUsed(target.service)) - heapBefore) / 500;
          t.diagnostic(
            `${runtime}: an open stream costs ${Math.round(heapEach)} bytes of heap, ${(rssEach / 1024).toFixed(1)} KiB of RSS`,
          );
          assert.ok(heapEach < 16 * 1024, `${heapEach} bytes of heap per stream`);
        }
        assert.ok(rssEach < 96 * 1024, `${rssEach} bytes of RSS per stream`);
        assert.doesNotMatch(target.service.output(), /MaxListenersExceededWarning|memory leak/);
      } finally {
        for (const c of connections) c.socket.destroy();
        await target.stop();
      }
    });
  }
});
