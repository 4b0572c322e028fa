// What a request says about itself is data, never configuration, on the running service (Node and Deno): a forged
// `Host` or an absolute-form request line cannot put another host into the URLs a lookup answers (which a shared
// cache would keep), and `__proto__`, `constructor` or `hasOwnProperty` are user ids like any other.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import type { PictureBatch, PictureMeta } from '../contract/picture.ts';
import { solidPng } from './testing/images.ts';
import { startEmbedded } from './testing/stack.ts';
import { admin } from './testing/tokens.ts';

/** Sends `head` as is over one connection (fetch would set Host itself) and resolves with the body answered. */
function rawGet(base: string, head: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`${head}\r\nConnection: close\r\n\r\n`));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('end', () => resolve(answer.slice(answer.indexOf('\r\n\r\n') + 4)));
    socket.on('error', reject);
  });
}

for (const runtime of ['node', 'deno'] as const) {
  describe(`request data (${runtime})`, () => {
    test('a forged Host or an absolute-form request line leaves every URL a path; with PUBLIC_URL, that address', async () => {
      for (const publicUrl of [undefined, 'https://img.example.com/pics']) {
        const target = await startEmbedded(runtime, publicUrl ? { PUBLIC_URL: publicUrl } : {});
        try {
          await fetch(`${target.base}/api/pictures/ada`, { method: 'PUT', body: solidPng([9, 9, 9]), headers: admin });
          const answers = [
            await rawGet(target.base, 'GET /api/pictures/ada HTTP/1.1\r\nHost: evil.example'),
            await rawGet(target.base, 'GET http://evil.example/api/pictures/ada HTTP/1.1\r\nHost: evil.example'),
            await rawGet(target.base, 'GET /api/pictures?users=ada HTTP/1.1\r\nHost: evil.example:666'),
          ];
          for (const answer of answers) {
            assert.doesNotMatch(answer, /evil/, answer);
            const meta: PictureMeta = JSON.parse(answer).pictures?.ada ?? JSON.parse(answer);
            for (const url of [meta.url, ...meta.variants.map((v) => v.url)]) {
              assert.ok(publicUrl ? url.startsWith(`${publicUrl}/images/ada/`) : url.startsWith('/images/ada/'), url);
            }
          }
        } finally {
          await target.stop();
        }
      }
    });

    test('`__proto__`, `constructor` and `hasOwnProperty` are users: their own pictures, or none, never the prototype', async () => {
      const target = await startEmbedded(runtime);
      try {
        const put = await fetch(`${target.base}/api/pictures/__proto__`, {
          method: 'PUT',
          body: solidPng([1, 2, 3]),
          headers: admin,
        });
        assert.equal(put.status, 201);
        const single = (await (await fetch(`${target.base}/api/pictures/__proto__`)).json()) as PictureMeta;
        assert.equal(single.userId, '__proto__');
        const res = await fetch(`${target.base}/api/pictures?users=__proto__,constructor,hasOwnProperty`);
        const text = await res.text();
        const { pictures } = JSON.parse(text) as PictureBatch;
        assert.deepEqual(Object.keys(pictures), ['__proto__', 'constructor', 'hasOwnProperty']);
        assert.match(text, /^\{"pictures":\{"__proto__":\{"userId":"__proto__"/);
        assert.equal(Object.getOwnPropertyDescriptor(pictures, 'constructor')?.value, null);
        assert.equal(Object.getOwnPropertyDescriptor(pictures, 'hasOwnProperty')?.value, null);
        assert.equal((await fetch(`${target.base}${single.url}`)).status, 200);
      } finally {
        await target.stop();
      }
    });
  });
}
