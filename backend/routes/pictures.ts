import { Hono } from 'hono';
import type { PictureMeta } from '../../contract/picture.ts';
import type { Auth } from '../auth.ts';
import { ApiError } from '../errors.ts';
import type { PictureService } from '../pictures.ts';
import { checkUserId } from '../user-id.ts';
import { fnv1a, matchesETag } from './revalidate.ts';
import { readUpload, type UploadLimits } from './upload-body.ts';

/** The most users one batch lookup may ask for. */
export const MAX_BATCH = 100;

/** The lookup is revalidated every time: a 304 is cheap, and a changed picture must show at once. */
const lookupCaching = { 'Cache-Control': 'no-cache' };

/** `/api/pictures`: lookups (single and batch), upload and delete. */
export function pictureRoutes(options: { service: PictureService; auth: Auth; upload: UploadLimits; publicUrl?: string }) {
  const { service, auth, upload, publicUrl } = options;
  /** The service names its copies by path: an operator's public address goes before them, never the request's host. */
  const published = (meta: PictureMeta): PictureMeta => {
    if (!publicUrl) return meta;
    return { ...meta, url: publicUrl + meta.url, variants: meta.variants.map((variant) => ({ ...variant, url: publicUrl + variant.url })) };
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
      const meta = await service.upload(userId, await readUpload(c.req.raw, upload));
      return c.json(published(meta), 201, { Location: `/api/pictures/${userId}` });
    })
    .delete('/:userId', async (c) => {
      const userId = checkUserId(c.req.param('userId'));
      await auth.requireUser(c, userId);
      await service.remove(userId);
      return c.body(null, 204);
    });
}

function parseUsers(query: string | undefined): string[] {
  const userIds = [...new Set((query ?? '').split(',').map((id) => id.trim()).filter(Boolean))];
  if (!userIds.length) throw new ApiError(400, 'bad_request', 'Name the users: /api/pictures?users=a,b,c.');
  if (userIds.length > MAX_BATCH) {
    throw new ApiError(400, 'bad_request', `At most ${MAX_BATCH} users per request (got ${userIds.length}); split the list.`);
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
