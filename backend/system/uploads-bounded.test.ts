// Uploads in flight are bounded: one client holding forty 5 MiB uploads one byte short has at most
// MAX_UPLOADS_PER_CLIENT of them read, the rest refused before their body is read; forty clients behind a trusted proxy
// are bounded by MAX_UPLOAD_MEMORY_BYTES in all; memory stays put and /healthz answers; an upload whose client goes
// away is one line in the log.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_MAX_UPLOAD_MEMORY_BYTES, DEFAULT_MAX_UPLOADS_PER_CLIENT } from '../config.ts';
import { until } from '../../scripts/testing/wait.ts';
import { solidPng } from '../testing/images.ts';
import { upload } from '../testing/upload.ts';
import { mib, settledRss } from '../testing/process-memory.ts';
import { rawConnection, requestHead, type RawConnection } from '../testing/raw-http.ts';
import { startEmbedded } from '../testing/stack.ts';
import { admin } from '../testing/tokens.ts';

const MiB = 1024 * 1024;
const SIZE = 5 * MiB;

/** The service's own defaults, not the tests' small upload limit and one-client allowance: 5 MiB bodies, 4 at once. */
const SITE_LIMITS = {
  MAX_UPLOAD_BYTES: String(20 * MiB),
  MAX_UPLOADS_PER_CLIENT: String(DEFAULT_MAX_UPLOADS_PER_CLIENT),
};

/**
 * What the service says it holds (bytes of admitted upload bodies) and how many uploads it refused, from
 * `GET /metrics`.
 */
async function serverCounts(base: string): Promise<{ heldBytes: number; refused: number }> {
  const text = await (await fetch(`${base}/metrics`, { headers: admin })).text();
  const sample = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    heldBytes: sample(/^pictures_upload_bytes_held (\d+)$/m),
    refused:
      sample(/^pictures_refusals_total\{reason="too_many_requests"\} (\d+)$/m) +
      sample(/^pictures_refusals_total\{reason="server_busy"\} (\d+)$/m),
  };
}

/**
 * Starts `count` uploads of a 5 MiB body at once, each sending all but its last byte and holding, and resolves once
 * the service has admitted or refused every one and every refusal has reached its client.
 */
async function holdUploads(
  base: string,
  count: number,
  headers: (i: number) => Record<string, string> = () => ({}),
): Promise<RawConnection[]> {
  const body = new Uint8Array(SIZE - 1).fill(7);
  const uploads = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const c = await rawConnection(
        base,
        requestHead('PUT', `/api/pictures/held${i}`, { ...admin, 'Content-Length': SIZE, ...headers(i) }),
      );
      c.socket.write(body);
      return c;
    }),
  );
  let seen = '';
  await until(
    async () => {
      const { heldBytes, refused } = await serverCounts(base);
      const answered = uploads.filter((c) => c.status() !== undefined).length;
      seen = `${heldBytes / SIZE} held and ${refused} refused by the service's count; the clients see ${statuses(uploads).join(' ')}`;
      return heldBytes / SIZE + refused === count && answered === refused;
      // 200 MiB of bodies through loopback: on a loaded 2-core machine (the whole suite at once) Deno takes its time.
    },
    () => `the service to take ${count} uploads (${seen})`,
    90_000,
  );
  return uploads;
}

async function healthzMs(base: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${base}/healthz`);
  assert.equal(res.status, 200);
  await res.arrayBuffer();
  return performance.now() - started;
}

const statuses = (uploads: RawConnection[]) => uploads.map((c) => c.status() ?? 'held');
const count = (uploads: RawConnection[], status: number | 'held') =>
  statuses(uploads).filter((s) => s === status).length;

describe('uploads in flight are bounded', () => {
  for (const runtime of ['node', 'deno'] as const) {
    test(`${runtime}: 40 held 5 MiB uploads from one client: MAX_UPLOADS_PER_CLIENT are read, the rest get 429 unread; memory stays put; an abandoned upload is one log line`, async (t) => {
      const target = await startEmbedded(runtime, SITE_LIMITS);
      let uploads: RawConnection[] = [];
      try {
        // Warm: an upload has been received, decoded and stored once before memory is measured.
        await upload(target.base, 'warm', solidPng([1, 2, 3]));
        const before = await settledRss(target.service.pid);
        uploads = await holdUploads(target.base, 40);
        const held = count(uploads, 'held');
        assert.equal(held, DEFAULT_MAX_UPLOADS_PER_CLIENT, `answers: ${statuses(uploads).join(' ')}`);
        assert.equal(count(uploads, 429), 40 - held);
        const refused = uploads.find((c) => c.status() === 429)!;
        assert.match(refused.received(), /\r\nretry-after: 5\r\n/i);
        assert.match(refused.received(), /"code":"too_many_requests"/);
        assert.match(refused.received(), /MAX_UPLOADS_PER_CLIENT/);
        await until(
          () => uploads.every((c) => c.status() === undefined || c.closed()),
          'the refused uploads to be closed',
        );
        const healthz = await healthzMs(target.base);
        const after = await settledRss(target.service.pid);
        t.diagnostic(
          `${runtime}: 40 held 5 MiB uploads from one client → ${held} read, ${40 - held} refused (429); /healthz in ${healthz.toFixed(1)} ms; RSS ${mib(before)} → ${mib(after)} (+${mib(after - before)})`,
        );
        assert.ok(healthz < 1_000, `/healthz took ${healthz} ms`);
        assert.ok(after - before < 100 * MiB, `RSS grew by ${mib(after - before)}`);

        // One client gives up mid-body: one line in the log, no stack.
        const open = uploads.filter((c) => c.status() === undefined);
        open[0]!.socket.destroy();
        await until(() => /broke off/.test(target.service.output()), 'the abandoned upload to be logged');
        const lines = target.service
          .output()
          .split('\n')
          .filter((line) => /broke off/.test(line));
        assert.equal(lines.length, 1, target.service.output());
        assert.match(lines[0]!, /^\[service\] PUT \/api\/pictures\/held\d+: The upload broke off .*after \d+ bytes/);
        assert.doesNotMatch(target.service.output(), /\n\s+at /, 'no stack trace');

        // The others end (not an image: 415); their places are free for the next upload.
        for (const c of open.slice(1)) c.socket.write(Uint8Array.of(7));
        await until(() => open.slice(1).every((c) => c.status() !== undefined), 'the held uploads to be answered');
        assert.deepEqual(
          open.slice(1).map((c) => c.status()),
          [415, 415, 415],
        );
        await upload(target.base, 'after', solidPng([3, 2, 1]));
      } finally {
        for (const c of uploads) c.socket.destroy();
        await target.stop();
      }
    });

    test(`${runtime}: 40 clients behind a trusted proxy, each holding a 5 MiB upload: MAX_UPLOAD_MEMORY_BYTES bounds them all, the rest get 503 unread`, async (t) => {
      const target = await startEmbedded(runtime, { ...SITE_LIMITS, TRUST_PROXY: '1' });
      let uploads: RawConnection[] = [];
      try {
        await upload(target.base, 'warm', solidPng([1, 2, 3]));
        const before = await settledRss(target.service.pid);
        uploads = await holdUploads(target.base, 40, (i) => ({ 'X-Forwarded-For': `198.51.100.${i + 1}` }));
        const held = count(uploads, 'held');
        assert.equal(
          held,
          Math.floor(DEFAULT_MAX_UPLOAD_MEMORY_BYTES / SIZE),
          `answers: ${statuses(uploads).join(' ')}`,
        );
        assert.equal(count(uploads, 503), 40 - held);
        const refused = uploads.find((c) => c.status() === 503)!;
        assert.match(refused.received(), /\r\nretry-after: 5\r\n/i);
        assert.match(refused.received(), /"code":"server_busy"/);
        await until(
          () => uploads.every((c) => c.status() === undefined || c.closed()),
          'the refused uploads to be closed',
        );
        const healthz = await healthzMs(target.base);
        const after = await settledRss(target.service.pid);
        t.diagnostic(
          `${runtime}: 40 clients with a held 5 MiB upload each → ${held} read (${mib(held * SIZE)} of ${mib(DEFAULT_MAX_UPLOAD_MEMORY_BYTES)}), ${40 - held} refused (503); /healthz in ${healthz.toFixed(1)} ms; RSS ${mib(before)} → ${mib(after)} (+${mib(after - before)})`,
        );
        assert.ok(healthz < 1_000, `/healthz took ${healthz} ms`);
        assert.ok(after - before < 200 * MiB, `RSS grew by ${mib(after - before)}`);
      } finally {
        for (const c of uploads) c.socket.destroy();
        await target.stop();
      }
    });
  }
});
