// The worker's queue of uploads made offline, in Chromium, on a real IndexedDB database and a real network: what it
// writes to disk, and that an upload kept too long is dropped, token and all, and reported instead of sent.
import { expect } from '@esm-bundle/chai';
import { deleteDB } from 'idb';
import { hostileBase, hostileRequests, resetHostile } from '../elements/testing/hostile.ts';
import type { WorkerNotice } from './messages.ts';
import { UploadQueue } from './upload-queue.ts';
import { workerDb, type StoredUpload } from './worker-db.ts';

const HOUR = 3_600_000;

describe('UploadQueue', () => {
  let name: string;
  let db: ReturnType<typeof workerDb>;
  let now: number;
  let notices: WorkerNotice[];
  let queue: UploadQueue;

  beforeEach(async () => {
    name = `upload-queue-${crypto.randomUUID()}`;
    db = workerDb(name);
    now = Date.now();
    notices = [];
    queue = new UploadQueue({
      db,
      maxAgeMs: 24 * HOUR,
      uploaded: async () => {},
      notify: async (notice) => void notices.push(notice),
      requestSync: async () => {},
      now: () => now,
    });
    await resetHostile();
  });
  afterEach(async () => {
    (await db()).close();
    await deleteDB(name);
  });

  /** An upload as the worker keeps it, to the hostile service (which answers 201), made `age` ago. */
  async function kept(userId: string, age: number): Promise<void> {
    const upload: StoredUpload = {
      userId,
      url: `${await hostileBase()}/api/pictures/${userId}`,
      method: 'PUT',
      headers: [
        ['authorization', 'Bearer t0ken'],
        ['content-type', 'image/png'],
      ],
      body: new ArrayBuffer(8),
      queuedAt: now - age,
    };
    await (await db()).add('uploads', upload);
  }

  const puts = async () => (await hostileRequests()).filter((line) => line.startsWith('PUT '));

  it('keeps a failed upload with the headers it needs alone: its token and its type', async () => {
    // Nothing listens on port 1: the network fails as it does offline.
    const request = new Request('http://127.0.0.1:1/api/pictures/ada', {
      method: 'PUT',
      body: new Uint8Array([1, 2, 3]),
      headers: {
        Authorization: 'Bearer t0ken',
        'Content-Type': 'image/png',
        'X-Extra': 'a secret of the page',
        'X-Requested-With': 'fetch',
      },
    });
    const answer = await queue.respond(request, 'ada');
    expect(answer.status).to.equal(202);
    const [stored] = await (await db()).getAll('uploads');
    expect(stored!.headers).to.deep.equal([
      ['authorization', 'Bearer t0ken'],
      ['content-type', 'image/png'],
    ]);
    expect(stored!.queuedAt).to.equal(now);
    expect(new Uint8Array(stored!.body)).to.deep.equal(new Uint8Array([1, 2, 3]));
  });

  it('sends what is fresh, and drops what waited too long unsent, telling the pages', async () => {
    await kept('fresh', 23 * HOUR);
    await kept('stale', 24 * HOUR + 1);
    const broken: StoredUpload = {
      userId: 'undated',
      url: `${await hostileBase()}/api/pictures/undated`,
      method: 'PUT',
      headers: [],
      body: new ArrayBuffer(1),
      queuedAt: Number.NaN,
    };
    await (await db()).add('uploads', broken);
    await queue.send();
    expect(await puts()).to.deep.equal(['PUT /api/pictures/fresh']);
    expect(notices.map((notice) => [notice.type, notice.userId])).to.deep.equal([
      ['upload-sent', 'fresh'],
      ['upload-expired', 'stale'],
      ['upload-expired', 'undated'],
    ]);
    expect(notices[1]).to.include({ queuedAt: now - 24 * HOUR - 1 });
    expect(await queue.size()).to.equal(0, 'nothing left on disk, token included');
  });

  it('drops an expired upload while still offline, sending nothing', async () => {
    await kept('fresh', HOUR);
    await kept('stale', 25 * HOUR);
    await queue.expire();
    expect(await puts()).to.deep.equal([]);
    expect(notices.map((notice) => [notice.type, notice.userId])).to.deep.equal([['upload-expired', 'stale']]);
    expect((await (await db()).getAll('uploads')).map((upload) => upload.userId)).to.deep.equal(['fresh']);
  });

  it('a send asked for while the queue is only expiring still sends, once', async () => {
    await kept('fresh', HOUR);
    await Promise.all([queue.expire(), queue.send(), queue.expire()]);
    expect(await puts()).to.deep.equal(['PUT /api/pictures/fresh']);
    expect(notices.map((notice) => notice.type)).to.deep.equal(['upload-sent']);
  });
});
