// Seeding and the demo's sign-in through `app.request()`, on the real memory cache and file storage. The same,
// started from the real entries on every setup, is in start.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { DemoToken } from '../../contract/demo.ts';
import type { PictureBatch } from '../../contract/picture.ts';
import { DEMO_USER, FRIENDS, NEWCOMERS, PEOPLE } from '../../demo/people.ts';
import { createApp } from '../app.ts';
import { createMemoryCache, createMemoryEventBus } from '../cache/memory.ts';
import { USER_ID_PATTERN } from '../../contract/picture.ts';
import { createFileStorage } from '../storage/files.ts';
import { solidPng } from '../testing/images.ts';
import { TEST_SECRET, userToken } from '../testing/tokens.ts';
import { SEEDED_PICTURE_SIZE, SeedError, seedDemoUsers } from './seed.ts';

describe('the demo people', () => {
  test('60 people with valid, distinct ids; 50 friends; newcomers that are not seeded', () => {
    assert.equal(PEOPLE.length, 60);
    assert.equal(new Set(PEOPLE.map((p) => p.id)).size, 60);
    for (const { id } of [...PEOPLE, ...NEWCOMERS]) assert.match(id, USER_ID_PATTERN);
    assert.equal(FRIENDS.length, 50);
    assert.ok(!FRIENDS.includes(DEMO_USER), 'the demo user is not its own friend');
    assert.ok(NEWCOMERS.every((n) => !PEOPLE.some((p) => p.id === n.id)));
  });
});

describe('seeding through the API', () => {
  let dir: string;
  let app: ReturnType<typeof createApp>;
  const ids = PEOPLE.map((p) => p.id);
  const lookup = async () =>
    ((await (await app.request(`/api/pictures?users=${ids.join(',')}`)).json()) as PictureBatch).pictures;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pictures-seed-'));
    app = createApp({
      cache: createMemoryCache(),
      storage: createFileStorage({ dir }),
      events: createMemoryEventBus(),
      auth: { secret: TEST_SECRET },
      demoUser: DEMO_USER.id,
    });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('gives each of the 60 people a distinct picture, stored like any upload', async () => {
    const result = await seedDemoUsers({ fetch: app.fetch, secret: TEST_SECRET });
    assert.deepEqual(result, { uploaded: ids, existing: 0 });
    const pictures = await lookup();
    const metas = ids.map((id) => pictures[id]);
    const widths = metas.map((m) => m?.variants.map((v) => v.width).join(','));
    assert.ok(
      widths.every((w) => w === `64,96,128,${SEEDED_PICTURE_SIZE}`),
      `every person has copies up to the drawing's size: ${widths[0]}`,
    );
    assert.equal(new Set(metas.map((m) => m!.version)).size, 60, 'and no two are the same picture');
    const image = await app.request(metas[0]!.variants.at(-1)!.url);
    assert.equal(image.headers.get('Content-Type'), 'image/webp');
  });

  test('seeding again uploads nothing, and keeps a picture a person changed since', async () => {
    await seedDemoUsers({ fetch: app.fetch, secret: TEST_SECRET });
    const changed = await app.request(`/api/pictures/${DEMO_USER.id}`, {
      method: 'PUT',
      body: solidPng([200, 30, 30]),
      headers: { Authorization: `Bearer ${await userToken(DEMO_USER.id)}` },
    });
    assert.equal(changed.status, 201);
    const before = await lookup();
    assert.deepEqual(await seedDemoUsers({ fetch: app.fetch, secret: TEST_SECRET }), { uploaded: [], existing: 60 });
    assert.deepEqual(await lookup(), before);
  });

  test('an upload the service refuses stops seeding with an error naming the call and the reason', async () => {
    await assert.rejects(
      seedDemoUsers({ fetch: app.fetch, secret: 'not-the-secret-the-service-checks-0123456789' }),
      (error: Error) => {
        assert.ok(error instanceof SeedError);
        assert.equal(error.retry, false, 'a refused token will not pass later either');
        assert.match(error.message, /PUT \/api\/pictures\/\S+ answered 401: Invalid token/);
        return true;
      },
    );
  });
});

describe('the demo sign-in route', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'pictures-demo-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const build = (demoUser?: string) =>
    createApp({
      cache: createMemoryCache(),
      storage: createFileStorage({ dir }),
      events: createMemoryEventBus(),
      auth: { secret: TEST_SECRET },
      demoUser,
    });

  test("hands out a token that uploads the demo user's picture, and no one else's", async () => {
    const app = build(DEMO_USER.id);
    const res = await app.request('/api/demo/token');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('Cache-Control'), 'no-store');
    const { userId, token, expiresAt } = (await res.json()) as DemoToken;
    assert.equal(userId, DEMO_USER.id);
    assert.ok(expiresAt > Date.now());
    const auth = { Authorization: `Bearer ${token}` };
    assert.equal(
      (await app.request(`/api/pictures/${DEMO_USER.id}`, { method: 'PUT', body: solidPng([1, 2, 3]), headers: auth }))
        .status,
      201,
    );
    const other = await app.request(`/api/pictures/${FRIENDS[0]!.id}`, {
      method: 'PUT',
      body: solidPng([1, 2, 3]),
      headers: auth,
    });
    assert.equal(other.status, 403);
  });

  test('does not exist without a demo user', async () => {
    const res = await build().request('/api/demo/token');
    assert.equal(res.status, 404);
  });
});
