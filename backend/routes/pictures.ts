import { Hono, type Context } from 'hono';
import type { PictureMeta } from '../../contract/picture.ts';
import type { Auth } from '../auth.ts';
import type { Admission } from '../concurrency.ts';
import { ApiError, RETRY_AFTER_SECONDS } from '../errors.ts';
import type { PictureService } from '../pictures.ts';
import { checkUserId } from '../user-id.ts';
import { fnv1a, matchesETag } from './revalidate.ts';
import { admit, type Refusal } from './admit.ts';
import { heldBytes, readUpload, type UploadLimits } from './upload-body.ts';

/** The most users one batch lookup may ask for. */
export const MAX_BATCH = 100;

/** The lookup is revalidated every time: a 304 is cheap, and a changed picture must show at once. */
const lookupCaching = { 'Cache-Control': 'no-cache' };

/** Uploads take seconds: a place is likely free again soon. */
const uploadRefusal: Refusal = {
  client:
    'This client is sending as many uploads as it may at once (MAX_UPLOADS_PER_CLIENT); send this one when another has finished.',
  total:
    'The service is receiving as many uploads as it may hold at once (MAX_UPLOAD_MEMORY_BYTES); try again shortly.',
  retryAfterSeconds: RETRY_AFTER_SECONDS,
};

/**
 * `/api/pictures`: lookups (single and batch), upload and delete. Uploads are admitted by `uploads` before their
 * body is read, each counted at the bytes it may hold, per client (`clientOf`) and in all.
 */
export function pictureRoutes(options: {
  service: PictureService;
  auth: Auth;
  upload: UploadLimits;
  uploads: Admission;
  clientOf: (c: Context) => string | undefined;
  publicUrl?: string;
}) {
  const { service, auth, upload, uploads, clientOf, publicUrl } = options;
  /** The service names its copies by path: an operator's public address goes before them, never the request's host. */
  const published = (meta: PictureMeta): PictureMeta => {
    if (!publicUrl) return meta;
    return {
      ...meta,
      url: publicUrl + meta.url,
      variants: meta.variants.map((variant) => ({ ...variant, url: publicUrl + variant.url })),
    };
  };
  return new Hono()
    .get('/', async (c) => {
      const userIds = parseUsers(c.req.query('users'));
      const { pictures, cache } = await service.lookup(userIds);
      c.header('X-Cache', cache);
      // No prototype: `__proto__` is a valid user id, and must be an entry like any other.
      const body: Record<string, PictureMeta | null> = Object.create(null);
      let state = '';
      for (const [userId, meta] of pictures) {
        body[userId] = meta && published(meta);
        state += `${userId}:${meta ? tagOf(meta) : '-'},`;
      }
      const headers = { ETag: `W/"${fnv1a(state)}"`, ...lookupCaching };
      if (matchesETag(c, headers.ETag)) return c.body(null, 304, headers);
      return c.json({ pictures: body }, 200, headers);
    })
    .get('/:userId', async (c) => {
      const userId = checkUserId(c.req.param('userId'));
      const { pictures, cache } = await service.lookup([userId]);
      c.header('X-Cache', cache);
      const meta = pictures.get(userId);
      if (!meta) throw new ApiError(404, 'not_found', `User ${userId} has no picture.`);
      const headers = { ETag: `W/"${tagOf(meta)}"`, ...lookupCaching };
      if (matchesETag(c, headers.ETag)) return c.body(null, 304, headers);
      return c.json(published(meta), 200, headers);
    })
    .put('/:userId', async (c) => {
      const userId = checkUserId(c.req.param('userId'));
      await auth.requireUser(c, userId);
      // Its bytes stay held while it waits for an image job and is encoded, so its place is kept until the answer.
      const release = admit(uploads, clientOf(c), uploadRefusal, heldBytes(c.req.raw, upload.maxBytes));
      try {
        const meta = await service.upload(userId, await readUpload(c.req.raw, upload));
        return c.json(published(meta), 201, { Location: `/api/pictures/${userId}` });
      } finally {
        release();
      }
    })
    .delete('/:userId', async (c) => {
      const userId = checkUserId(c.req.param('userId'));
      await auth.requireUser(c, userId);
      await service.remove(userId);
      return c.body(null, 204);
    });
}

function parseUsers(query: string | undefined): string[] {
  const userIds = [
    ...new Set(
      (query ?? '')
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  ];
  if (!userIds.length) throw new ApiError(400, 'bad_request', 'Name the users: /api/pictures?users=a,b,c.');
  if (userIds.length > MAX_BATCH) {
    throw new ApiError(
      400,
      'bad_request',
      `At most ${MAX_BATCH} users per request (got ${userIds.length}); split the list.`,
    );
  }
  return userIds.map(checkUserId);
}

/**
 * What a lookup's answer depends on: the version and how long it may be used. Weak, since the same picture reached
 * through another host name is the same answer.
 */
function tagOf(meta: PictureMeta): string {
  return `${meta.version}.${meta.expiresAt.toString(36)}`;
}
