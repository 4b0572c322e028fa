/**
 * Seeds the demo's people (demo/people.ts) with pictures drawn here, through the service's own API, so each is
 * sniffed, stripped, versioned, cached and announced like any upload, on whatever cache and storage the service runs.
 */
import { sign } from 'hono/jwt';
import type { ErrorBody, PictureBatch } from '../../contract/picture.ts';
import { PEOPLE } from '../../demo/people.ts';
import { encodePng } from '../png.ts';
import { drawAvatar } from './avatar.ts';

/** Width and height of a seeded picture: sharp at 80 CSS px on a 2× screen. */
export const SEEDED_PICTURE_SIZE = 160;

/** Uploads at once: enough to overlap the storage's latency, few enough not to crowd out the first visitors. */
const PARALLEL_UPLOADS = 4;

export interface SeedOptions {
  /** The service itself: `app.fetch`. */
  fetch: (request: Request) => Response | Promise<Response>;
  /** The secret user tokens are signed with: each picture is uploaded by its own user. */
  secret: string;
}

export interface SeedResult {
  /** The users that got a picture now. */
  uploaded: string[];
  /** How many already had one. */
  existing: number;
}

/** A seeding step the service refused; `retry` when the storage may answer later. */
export class SeedError extends Error {
  override name = 'SeedError';
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

/**
 * Gives every demo user without a picture its own. Idempotent: users that have a picture, seeded or uploaded since,
 * keep it, so a restart uploads nothing.
 *
 * @throws {SeedError} when a lookup or an upload is refused.
 */
export async function seedDemoUsers({ fetch, secret }: SeedOptions): Promise<SeedResult> {
  const call = async (path: string, init?: RequestInit) => {
    const res = await fetch(new Request(`http://service${path}`, init));
    if (res.ok) return res;
    const body = (await res.json().catch(() => undefined)) as ErrorBody | undefined;
    throw new SeedError(
      `${init?.method ?? 'GET'} ${path} answered ${res.status}: ${body?.error.message ?? res.statusText}`,
      res.status === 503,
    );
  };
  const ids = PEOPLE.map((p) => p.id);
  const { pictures } = (await (await call(`/api/pictures?users=${ids.join(',')}`)).json()) as PictureBatch;
  const missing = ids.filter((id) => !pictures[id]);
  const queue = [...missing];
  const upload = async () => {
    for (let id = queue.shift(); id; id = queue.shift()) {
      const png = await encodePng(
        SEEDED_PICTURE_SIZE,
        SEEDED_PICTURE_SIZE,
        drawAvatar(ids.indexOf(id), SEEDED_PICTURE_SIZE),
      );
      const now = Math.floor(Date.now() / 1000);
      const token = await sign({ sub: id, iat: now, exp: now + 300 }, secret, 'HS256');
      await call(`/api/pictures/${id}`, {
        method: 'PUT',
        body: png,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'image/png' },
      });
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_UPLOADS }, upload));
  return { uploaded: missing, existing: ids.length - missing.length };
}

/**
 * Seeds at startup. Resolves after the first attempt, so a service with reachable storage serves its demo users
 * from its first request; when the storage is not reachable yet, keeps trying in the background every `retryMs`
 * until it is, or until `signal` aborts.
 */
export async function startSeeding(
  options: SeedOptions & { signal?: AbortSignal; retryMs?: number; log?: Pick<Console, 'log' | 'warn'> },
): Promise<void> {
  const { signal, retryMs = 3_000, log = console } = options;
  let warned = false;
  const attempt = async (): Promise<void> => {
    try {
      const { uploaded, existing } = await seedDemoUsers(options);
      log.log(
        uploaded.length
          ? `[demo] seeded ${uploaded.length} demo users (${existing} already had a picture)`
          : `[demo] all ${existing} demo users have a picture`,
      );
    } catch (error) {
      const retry = error instanceof SeedError && error.retry && !signal?.aborted;
      if (!warned || !retry)
        log.warn(`[demo] could not seed the demo users${retry ? ', retrying' : ''}: ${(error as Error).message}`);
      warned = true;
      if (!retry) return;
      const timer = setTimeout(() => void attempt(), retryMs);
      signal?.addEventListener('abort', () => clearTimeout(timer), { once: true });
    }
  };
  await attempt();
}
