// `npm start`'s demo from the real entries: the seeded people on every setup and runtime, a restart that uploads
// nothing, `SEED_DEMO=0`, and the demo's sign-in route that exists only while the operator has set no AUTH_SECRET.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { DemoToken } from '../../contract/demo.ts';
import type { PictureBatch } from '../../contract/picture.ts';
import { DEMO_USER, FRIENDS, PEOPLE } from '../../demo/people.ts';
import { until } from '../../scripts/testing/wait.ts';
import { solidPng } from '../testing/images.ts';
import { startService, type RunningService } from '../testing/service.ts';
import { startBackingServers } from '../testing/stack.ts';
import { TEST_SECRET, userToken } from '../testing/tokens.ts';

const root = new URL('../../', import.meta.url).pathname;
const ids = PEOPLE.map((p) => p.id);

/** A data directory under ./.data, the one folder `npm run start:deno` may write; removed after the tests. */
const dataDirs: string[] = [];
async function dataDir(): Promise<string> {
  await mkdir(join(root, '.data'), { recursive: true });
  const dir = await mkdtemp(join(root, '.data', 'demo-test-'));
  dataDirs.push(dir);
  return dir;
}
after(() => Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** Each demo person's current version, `null` for none. */
async function versions(service: RunningService): Promise<(string | null)[]> {
  const { pictures } = (await (
    await fetch(`${service.base}/api/pictures?users=${ids.join(',')}`)
  ).json()) as PictureBatch;
  return ids.map((id) => pictures[id]?.version ?? null);
}

/** Runs `body` against a service started from the real entry, and stops it. */
async function withService<T>(
  runtime: 'node' | 'deno',
  env: Record<string, string>,
  body: (service: RunningService) => Promise<T>,
): Promise<T> {
  const service = await startService(runtime, env);
  try {
    return await body(service);
  } finally {
    await service.stop();
  }
}

describe('npm start with no AUTH_SECRET (the demo)', () => {
  test("seeds 60 people with distinct pictures, hands out the demo user's token, and a restart uploads nothing", async () => {
    const env = { DATA_DIR: await dataDir() };
    const afterUpload = await withService('node', env, async (service) => {
      const seeded = await versions(service);
      assert.equal(new Set(seeded.filter(Boolean)).size, 60, 'every person has a picture of their own');
      assert.match(service.output(), /seeded 60 demo users/);

      const res = await fetch(`${service.base}/api/demo/token`);
      assert.equal(res.status, 200);
      const { userId, token } = (await res.json()) as DemoToken;
      assert.equal(userId, DEMO_USER.id);
      const auth = { Authorization: `Bearer ${token}` };
      const mine = await fetch(`${service.base}/api/pictures/${DEMO_USER.id}`, {
        method: 'PUT',
        body: solidPng([9, 9, 9]),
        headers: auth,
      });
      assert.equal(mine.status, 201, "the token uploads the demo user's picture");
      const theirs = await fetch(`${service.base}/api/pictures/${FRIENDS[0]!.id}`, {
        method: 'PUT',
        body: solidPng([9, 9, 9]),
        headers: auth,
      });
      assert.equal(theirs.status, 403, "and no one else's");
      return versions(service);
    });
    await withService('node', env, async (service) => {
      assert.match(service.output(), /all 60 demo users have a picture/);
      assert.deepEqual(await versions(service), afterUpload, "nothing re-uploaded, the demo user's new picture kept");
    });
  });

  test('SEED_DEMO=0 seeds nobody', async () => {
    await withService('node', { DATA_DIR: await dataDir(), SEED_DEMO: '0' }, async (service) => {
      assert.deepEqual(
        await versions(service),
        ids.map(() => null),
      );
      assert.doesNotMatch(service.output(), /\[demo\]/);
    });
  });

  test('on Deno too, with the demo site at /', async () => {
    await withService('deno', { DATA_DIR: await dataDir() }, async (service) => {
      assert.equal(new Set((await versions(service)).filter(Boolean)).size, 60, service.output());
      assert.equal((await fetch(`${service.base}/api/demo/token`)).status, 200);
      const page = await fetch(`${service.base}/`);
      assert.equal(
        page.headers.get('Content-Type'),
        'text/html; charset=utf-8',
        'the demo is built (npm run build) and served',
      );
      assert.match(await page.text(), /<cached-profile-picture|data-friends/);
    });
  });
});

describe("npm start with the operator's AUTH_SECRET", () => {
  test('the demo token route is gone, uploads need a real token, and the people are seeded all the same', async () => {
    await withService('node', { DATA_DIR: await dataDir(), AUTH_SECRET: TEST_SECRET }, async (service) => {
      const res = await fetch(`${service.base}/api/demo/token`);
      assert.equal(res.status, 404);
      const anonymous = await fetch(`${service.base}/api/pictures/${DEMO_USER.id}`, {
        method: 'PUT',
        body: solidPng([1, 1, 1]),
      });
      assert.equal(anonymous.status, 401);
      const signed = await fetch(`${service.base}/api/pictures/${DEMO_USER.id}`, {
        method: 'PUT',
        body: solidPng([1, 1, 1]),
        headers: { Authorization: `Bearer ${await userToken(DEMO_USER.id)}` },
      });
      assert.equal(signed.status, 201);
      assert.equal((await versions(service)).filter(Boolean).length, 60);
    });
  });
});

describe('npm start on Redis and S3', () => {
  test('seeds once, a restart uploads nothing, and an object store down at start is seeded once it answers', async () => {
    const backing = await startBackingServers();
    const env = { ...backing.env, AUTH_SECRET: '', ADMIN_TOKEN: '', SEED_DEMO: '1' };
    try {
      await backing.s3.pause();
      const seeded = await withService('node', env, async (service) => {
        assert.match(service.output(), /could not seed the demo users, retrying: .*503/);
        await backing.s3.restart();
        await until(
          async () => !(await versions(service)).includes(null),
          'every demo user to be seeded',
          20_000,
        ).catch((error: Error) =>
          assert.fail(`not seeded 20 s after the object store came back (${error.message}):\n${service.output()}`),
        );
        return versions(service);
      });
      assert.equal(new Set(seeded).size, 60);
      await withService('node', env, async (service) => {
        assert.deepEqual(await versions(service), seeded);
        assert.match(service.output(), /all 60 demo users have a picture/);
      });
    } finally {
      await backing.stop();
    }
  });
});
