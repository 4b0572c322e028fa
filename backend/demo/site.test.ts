// The demo's pages and files as the service serves them at the root (the real files are loaded by wiring.ts from
// dist/demo/ and shown in Chromium by demo/demo.node.test.ts).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createApp } from '../app.ts';
import { createMemoryCache, createMemoryEventBus } from '../cache/memory.ts';
import { toAsset } from '../routes/assets.ts';
import { createFileStorage } from '../storage/files.ts';

const text = (s: string) => new TextEncoder().encode(s);
let dir: string;
let app: ReturnType<typeof createApp>;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pictures-site-'));
  const assets = new Map([
    ['', await toAsset(text('<h1>Friends</h1>'), 'text/html; charset=utf-8')],
    ['profile', await toAsset(text('<h1>Profile</h1>'), 'text/html; charset=utf-8')],
    ['demo.css', await toAsset(text('body{}'), 'text/css; charset=utf-8')],
    ['logo.svg', await toAsset(text('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml')],
  ]);
  app = createApp({
    cache: createMemoryCache(),
    storage: createFileStorage({ dir }),
    events: createMemoryEventBus(),
    auth: {},
    assets,
  });
});
after(() => rm(dir, { recursive: true, force: true }));

test('the front page is at /, the others at their names, each asked again at every visit', async () => {
  for (const [path, heading] of [
    ['/', 'Friends'],
    ['/profile', 'Profile'],
  ]) {
    const res = await app.request(path!);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers.get('Content-Type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('Cache-Control'), 'no-cache', 'a new version of the site shows at once');
    assert.match(await res.text(), new RegExp(heading!));
    const again = await app.request(path!, { headers: { 'If-None-Match': res.headers.get('ETag')! } });
    assert.equal(again.status, 304, 'and an unchanged page is not sent again');
  }
});

test('styles and images have their types and are kept briefly', async () => {
  for (const [path, type] of [
    ['/demo.css', 'text/css; charset=utf-8'],
    ['/logo.svg', 'image/svg+xml'],
  ]) {
    const res = await app.request(path!);
    assert.equal(res.headers.get('Content-Type'), type);
    assert.match(res.headers.get('Cache-Control')!, /max-age=600/);
  }
});

test('a page that does not exist is a 404 with the usual error body', async () => {
  const res = await app.request('/nowhere');
  assert.equal(res.status, 404);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_found');
});
