// CORS_ORIGINS as an operator sets it: read from the environment by each entry, answered over HTTP.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startEmbedded } from './testing/stack.ts';

for (const runtime of ['node', 'deno'] as const) {
  test(`${runtime}: CORS_ORIGINS=a,b lets those two sites call the API and no other`, async () => {
    const target = await startEmbedded(runtime, { CORS_ORIGINS: 'https://site.example, https://other.example' });
    try {
      for (const origin of ['https://site.example', 'https://other.example']) {
        const res = await fetch(`${target.base}/api/pictures?users=a`, { headers: { Origin: origin } });
        assert.equal(res.headers.get('Access-Control-Allow-Origin'), origin);
        assert.match(res.headers.get('Vary') ?? '', /Origin/);
      }
      const other = await fetch(`${target.base}/api/pictures?users=a`, { headers: { Origin: 'https://evil.example' } });
      assert.equal(other.status, 200, 'a request without CORS is still answered; the browser keeps it from the page');
      assert.equal(other.headers.get('Access-Control-Allow-Origin'), null);
      const preflight = await fetch(`${target.base}/api/pictures/a`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'PUT' },
      });
      assert.equal(preflight.headers.get('Access-Control-Allow-Methods'), null);
      assert.equal(other.headers.get('Timing-Allow-Origin'), 'https://site.example, https://other.example');
    } finally {
      await target.stop();
    }
  });
}
