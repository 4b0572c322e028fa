import { Hono } from 'hono';
import { ApiError } from '../errors.ts';
import type { PictureService } from '../pictures.ts';
import { checkUserId } from '../user-id.ts';
import { matchesETag } from './revalidate.ts';

const VERSION = /^[0-9a-f]{32}$/;

/** A version never changes, so browsers may keep it for a year without asking again. */
const immutable = { 'Cache-Control': 'public, max-age=31536000, immutable' };

/** `/images/:userId/:version`: the bytes, for the file storage and for proxying an object store. */
export function imageRoutes({ service }: { service: PictureService }) {
  return new Hono().get('/:userId/:version', async (c) => {
    const userId = checkUserId(c.req.param('userId'));
    const version = c.req.param('version');
    if (!VERSION.test(version)) throw new ApiError(404, 'not_found', `No picture version ${JSON.stringify(version.slice(0, 80))}.`);
    const headers = { ETag: `"${version}"`, ...immutable };
    // The version is the content hash, so a matching tag is answered without reading the storage.
    if (matchesETag(c, headers.ETag)) return c.body(null, 304, headers);
    const picture = await service.read(userId, version);
    if (!picture) throw new ApiError(404, 'not_found', `User ${userId} has no picture version ${version}.`);
    const answer = {
      'Content-Type': picture.contentType,
      'Content-Length': String(picture.bytes),
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    };
    // Hono answers HEAD with the GET handler and drops the body unread: release the file or socket behind it.
    if (c.req.method !== 'HEAD') return c.body(picture.body, 200, answer);
    await picture.body.cancel();
    return c.body(null, 200, answer);
  });
}
