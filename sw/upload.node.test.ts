// Background sync in Chromium: an upload made offline is kept by the worker, answered 202, and reaches the service
// exactly once when the page is back online; the user's cached pictures are dropped and the page is told.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { solidPng } from '../backend/testing/images.ts';
import { TEST_ADMIN_TOKEN } from '../backend/testing/tokens.ts';
import type { QueuedUpload, WorkerNotice } from './messages.ts';
import { sleep, until } from '../scripts/testing/wait.ts';
import { openControlled, REGISTERING_PAGE, startSite, upload, workerStats, type Site } from './testing/site.ts';

let site: Site;
before(async () => {
  site = await startSite({ '/upload.html': REGISTERING_PAGE });
});
after(() => site?.stop());

const puts = () => site.proxy.forwarded.filter((line) => line.startsWith('PUT '));

/** Uploads from the page, as a site's profile form does. */
function uploadFromPage(
  page: Page,
  userId: string,
  token: string,
  bytes: Uint8Array,
): Promise<{ status: number; body: unknown }> {
  return page.evaluate(
    async ({ userId, token, bytes }) => {
      const res = await fetch(`/api/pictures/${userId}`, {
        method: 'PUT',
        body: new Uint8Array(bytes),
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'image/png' },
      });
      return { status: res.status, body: await res.json() };
    },
    { userId, token, bytes: [...bytes] },
  );
}

/** The next notice of `type` the page hears about, as a window event. */
function nextNotice(page: Page, type: string): Promise<WorkerNotice> {
  return page.evaluate(
    (type) =>
      new Promise((resolve) =>
        addEventListener(type, (event) => resolve((event as CustomEvent).detail), { once: true }),
      ),
    type,
  );
}

test('an upload made offline reaches the service exactly once when the page is back online', async () => {
  const page = await openControlled(site, '/upload.html');
  const before = await upload(site.service.base, 'traveller', solidPng([10, 10, 200], 32));
  await page.evaluate((path) => fetch(path).then((res) => res.blob()), new URL(before.url, site.proxy.base).pathname);
  await until(async () => (await workerStats(page)).totalEntries === 1, 'the worker to keep the old picture', 15_000);

  await page.context().setOffline(true);
  site.proxy.forwarded.length = 0;
  const bytes = solidPng([250, 120, 0], 32);
  const answer = await uploadFromPage(page, 'traveller', TEST_ADMIN_TOKEN, bytes);
  assert.equal(answer.status, 202);
  assert.deepEqual((answer.body as QueuedUpload).queued.userId, 'traveller');
  assert.match((answer.body as QueuedUpload).message, /offline/);
  assert.deepEqual(puts(), [], 'nothing reached the service while offline');
  assert.equal((await workerStats(page)).queuedUploads, 1);

  const sent = nextNotice(page, 'picture-upload-sent');
  await page.context().setOffline(false);
  const notice = await sent;
  assert.equal(notice.type, 'upload-sent');
  assert.equal(notice.status, 201);
  // Both the sync event and the page's online event ask the worker to send: give a second send time to happen.
  await sleep(1_500);
  assert.deepEqual(puts(), ['PUT /api/pictures/traveller'], 'sent exactly once');
  const current = await (await fetch(`${site.service.base}/api/pictures/traveller`)).json();
  assert.equal(
    current.version,
    notice.type === 'upload-sent' ? notice.picture?.version : undefined,
    'the service has the new picture',
  );
  assert.notEqual(current.version, before.version);
  const stats = await workerStats(page);
  assert.deepEqual(
    { queued: stats.queuedUploads, entries: stats.totalEntries },
    { queued: 0, entries: 0 },
    'the old picture was dropped',
  );
  await page.context().close();
});

test(
  'an upload whose first sends fail as the connection returns is sent again, once',
  { timeout: 30_000 },
  async () => {
    const page = await openControlled(site, '/upload.html');
    await page.context().setOffline(true);
    site.proxy.forwarded.length = 0;
    assert.equal((await uploadFromPage(page, 'returner', TEST_ADMIN_TOKEN, solidPng([20, 160, 60], 16))).status, 202);
    let cut = 0;
    site.proxy.cut = (line) => line === 'PUT /api/pictures/returner' && cut++ < 2;
    const sent = nextNotice(page, 'picture-upload-sent');
    try {
      await page.context().setOffline(false);
      assert.equal((await sent).type, 'upload-sent');
    } finally {
      site.proxy.cut = undefined;
    }
    // Background Sync and the page's online event each try once: both are cut, and the page tries again.
    assert.equal(cut, 3, 'two sends were cut, the third went through');
    await sleep(1_500); // proves a negative: no fourth send comes
    assert.deepEqual(puts(), ['PUT /api/pictures/returner'], 'it reached the service once');
    assert.equal((await workerStats(page)).queuedUploads, 0);
    await page.context().close();
  },
);

test('an upload the service refuses when it is finally sent is dropped, and the page is told why', async () => {
  const page = await openControlled(site, '/upload.html');
  await page.context().setOffline(true);
  site.proxy.forwarded.length = 0;
  assert.equal((await uploadFromPage(page, 'stranger', 'not-a-token', solidPng([0, 0, 0], 8))).status, 202);
  const failed = nextNotice(page, 'picture-upload-failed');
  await page.context().setOffline(false);
  const notice = await failed;
  assert.equal(notice.type, 'upload-failed');
  assert.equal(notice.status, 401);
  assert.match(notice.type === 'upload-failed' ? notice.message : '', /token/i);
  await sleep(1_000); // proves a negative: the refused upload is not sent again
  assert.equal(puts().length, 1, 'not retried');
  assert.equal((await workerStats(page)).queuedUploads, 0);
  await page.context().close();
});

test('online, an upload goes straight through the worker, answered by the service', async () => {
  const page = await openControlled(site, '/upload.html');
  site.proxy.forwarded.length = 0;
  const answer = await uploadFromPage(page, 'homebody', TEST_ADMIN_TOKEN, solidPng([1, 2, 3], 8));
  assert.equal(answer.status, 201);
  assert.deepEqual(puts(), ['PUT /api/pictures/homebody']);
  assert.equal((await workerStats(page)).queuedUploads, 0);
  await page.context().close();
});

test("offline, an upload to another origin than the image service's is not the worker's: not kept, never sent", async () => {
  const page = await openControlled(site, '/upload.html');
  await page.context().setOffline(true);
  // The service itself, on an origin of its own: the worker was told of none but the site's (its default).
  const elsewhere = await page.evaluate(
    async ({ base, token }) => {
      try {
        const res = await fetch(`${base}/api/pictures/wanderer`, {
          method: 'PUT',
          body: new Uint8Array([1, 2, 3]),
          headers: { Authorization: `Bearer ${token}` },
        });
        return `answered ${res.status}`;
      } catch (error) {
        return (error as Error).name;
      }
    },
    { base: site.service.base, token: TEST_ADMIN_TOKEN },
  );
  assert.equal(elsewhere, 'TypeError', "the browser's own network error, not a 202 from the worker");
  assert.equal((await workerStats(page)).queuedUploads, 0);
  await page.context().setOffline(false);
  await page.evaluate(() =>
    (window as unknown as { swManager: { sendUploads(): Promise<void> } }).swManager.sendUploads(),
  );
  assert.equal((await fetch(`${site.service.base}/api/pictures/wanderer`)).status, 404, 'nothing reached the service');
  await page.context().close();
});

test('an upload kept offline longer than uploadMaxAgeSeconds is dropped, token and all, and the page told; never sent', async () => {
  const page = await openControlled(site, '/upload.html');
  await page.context().setOffline(true);
  site.proxy.forwarded.length = 0;
  assert.equal((await uploadFromPage(page, 'sleeper', TEST_ADMIN_TOKEN, solidPng([9, 9, 9], 8))).status, 202);
  // A day and an hour pass (the record's time moved back, as the clock cannot be).
  const kept = await page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('cached-profile-pictures-worker');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const store = open.result.transaction('uploads', 'readwrite').objectStore('uploads');
          const all = store.getAll();
          all.onsuccess = () => {
            for (const upload of all.result) store.put({ ...upload, queuedAt: upload.queuedAt - 25 * 3_600_000 });
            store.transaction.oncomplete = () =>
              resolve(
                all.result.map((upload) =>
                  upload.headers
                    .map(([name]: [string]) => name)
                    .sort()
                    .join(),
                ),
              );
          };
        };
      }),
  );
  assert.deepEqual(kept, ['authorization,content-type'], 'only the headers the upload needs were written');
  const expired = nextNotice(page, 'picture-upload-expired');
  await page.context().setOffline(false);
  const notice = await expired;
  assert.equal(notice.type, 'upload-expired');
  assert.equal(notice.userId, 'sleeper');
  assert.equal((await workerStats(page)).queuedUploads, 0);
  await page.evaluate(() =>
    (window as unknown as { swManager: { sendUploads(): Promise<void> } }).swManager.sendUploads(),
  );
  assert.deepEqual(puts(), [], 'never sent');
  assert.equal((await fetch(`${site.service.base}/api/pictures/sleeper`)).status, 404);
  await page.context().close();
});
