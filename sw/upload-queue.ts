import type { PictureMeta } from '../contract/picture.ts';
import type { QueuedUpload, WorkerNotice } from './messages.ts';
import type { StoredUpload, WorkerDb } from './worker-db.ts';

/** The Background Sync tag the worker registers for kept uploads. */
export const UPLOAD_SYNC_TAG = 'cached-profile-pictures-uploads';

/** `PUT {apiBase}/pictures/{userId}`: an upload of the image service (the worker checks the origin). */
const UPLOAD_PATH = /\/pictures\/([A-Za-z0-9_-]{1,64})$/;
/** The headers an upload needs when it is sent again; nothing else of the page's request is written to disk. */
const KEPT_HEADERS = ['authorization', 'content-type'];

export interface UploadQueueOptions {
  db: () => Promise<WorkerDb>;
  /** How long an upload is kept for sending; past it, it is dropped unsent and the pages are told. */
  maxAgeMs: number;
  /** After an upload went through: drop the user's cached pictures and tell the pages' stores. */
  uploaded(userId: string): Promise<void>;
  /** Tells every page of the worker's scope. */
  notify(notice: WorkerNotice): Promise<void>;
  /** Asks the browser for a `sync` event when the connection returns, where it has Background Sync. */
  requestSync(): Promise<void>;
  now?: () => number;
}

/**
 * Uploads made while offline: kept in IndexedDB with their bytes and the headers they need (the token among them),
 * answered `202`, and sent when the connection returns (`sync` event, or the page's `online` event through a
 * message), one run at a time, each removed as soon as the service answered it, so none is sent twice. One kept past
 * `maxAgeMs` is dropped instead, token and all, and the pages are told: a token should not outlive its session.
 */
export class UploadQueue {
  readonly #options: UploadQueueOptions;
  #running: Promise<void> | undefined;
  #again = false;

  constructor(options: UploadQueueOptions) {
    this.#options = options;
  }

  /** The user an upload request is for, or `undefined` when `request` is not an upload. */
  static userOf(request: Request): string | undefined {
    return request.method === 'PUT' ? UPLOAD_PATH.exec(new URL(request.url).pathname)?.[1] : undefined;
  }

  /** Sends the upload; when the network fails, keeps it and answers `202` with a {@link QueuedUpload}. */
  async respond(request: Request, userId: string): Promise<Response> {
    // Read before sending: a body sent is a body gone.
    const body = await request.clone().arrayBuffer();
    try {
      return await fetch(request);
    } catch {
      const headers = [...request.headers].filter(([name]) => KEPT_HEADERS.includes(name));
      const upload: StoredUpload = {
        userId,
        url: request.url,
        method: request.method,
        headers,
        body,
        queuedAt: this.#now(),
      };
      const id = await (await this.#options.db()).add('uploads', upload);
      await this.#options.requestSync().catch(() => {});
      const answer: QueuedUpload = {
        queued: { id, userId },
        message:
          'You are offline: the picture is kept on this device and will be uploaded when the connection returns.',
      };
      return Response.json(answer, { status: 202 });
    }
  }

  async size(): Promise<number> {
    return (await this.#options.db()).count('uploads');
  }

  /**
   * Sends every kept upload, oldest first, and drops the expired ones. A run already under way is joined, and runs
   * once more after it, so an upload kept meanwhile is not left behind. Rejects when the network is still down (a
   * `sync` event then retries).
   */
  send(): Promise<void> {
    return this.#run(true);
  }

  /** Drops the expired uploads (the worker's cleanup: an offline device may not send for days). */
  expire(): Promise<void> {
    return this.#run(false);
  }

  /** One run at a time, sending or only expiring, so no upload is sent or reported twice. */
  #run(sending: boolean): Promise<void> {
    if (this.#running) {
      this.#again ||= sending;
      return this.#running;
    }
    return (this.#running = this.#each(sending).finally(() => (this.#running = undefined)));
  }

  async #each(sending: boolean): Promise<void> {
    do {
      this.#again = false;
      const db = await this.#options.db();
      for (const upload of await db.getAll('uploads')) {
        // `!(… <= …)`: a record without a usable time is expired too.
        if (!(this.#now() - upload.queuedAt <= this.#options.maxAgeMs)) await this.#expired(db, upload);
        else if (sending) await this.#sendOne(db, upload);
      }
      sending ||= this.#again;
    } while (this.#again);
  }

  async #expired(db: WorkerDb, upload: StoredUpload): Promise<void> {
    await db.delete('uploads', upload.id!);
    const { userId, queuedAt } = upload;
    const message =
      'The picture kept on this device waited too long for a connection and was not uploaded: choose it again.';
    await this.#options.notify({ type: 'upload-expired', userId, queuedAt, message });
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  async #sendOne(db: WorkerDb, upload: StoredUpload): Promise<void> {
    // A network error throws here and stops the run: the upload stays for the next one.
    const response = await fetch(upload.url, { method: upload.method, headers: upload.headers, body: upload.body });
    // The service failed, not the request: keep it for the next run.
    if (response.status >= 500) throw new Error(`the service answered ${response.status}`);
    await db.delete('uploads', upload.id!);
    const { userId } = upload;
    if (response.ok) {
      const picture = (await response.json().catch(() => null)) as PictureMeta | null;
      await this.#options.uploaded(userId);
      await this.#options.notify({ type: 'upload-sent', userId, status: response.status, picture });
    } else {
      const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
      const message = body?.error?.message ?? `The service refused the upload (${response.status}).`;
      await this.#options.notify({ type: 'upload-failed', userId, status: response.status, message });
    }
  }
}
