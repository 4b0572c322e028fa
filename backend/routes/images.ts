import { Hono } from 'hono';
import { ApiError } from '../errors.ts';
import type { PictureService } from '../pictures.ts';
import { checkUserId } from '../user-id.ts';
import { matchesETag } from './revalidate.ts';

const VERSION = /^[0-9a-f]{32}$/;
/** A copy's file name: its width, then the one type every copy has. */
const VARIANT_FILE = /^([1-9][0-9]{0,3})\.webp$/;

/** A version never changes, so browsers may keep it for a year without asking again. */
const immutable = { 'Cache-Control': 'public, max-age=31536000, immutable' };

/**
 * `/images/:userId/:version/:width.webp`: the copies, unsigned and immutable in every setup, read from the
 * storage (put a CDN in front at scale). `/images/:userId/:version`, the URL of the upload itself before copies
 * were made, sends a page that still holds it to the current copy it would show.
 */
export function imageRoutes({ service }: { service: PictureService }) {
  return new Hono()
    .get('/:userId/:version/:file', async (c) => {
      const userId = checkUserId(c.req.param('userId'));
      const version = c.req.param('version');
      const width = Number(VARIANT_FILE.exec(c.req.param('file'))?.[1] ?? NaN);
      if (!VERSION.test(version) || !width)
        throw new ApiError(404, 'not_found', `No picture at ${JSON.stringify(c.req.path.slice(0, 200))}.`);
      const headers = { ETag: `"${version}-${width}"`, ...immutable };
      // The version is a content hash, so a matching tag is answered without reading the storage.
      if (matchesETag(c, headers.ETag)) return c.body(null, 304, headers);
      const picture = await service.read(userId, version, width);
      if (!picture)
        throw new ApiError(404, 'not_found', `User ${userId} has no ${width}-px copy of version ${version}.`);
      const answer = {
        'Content-Type': picture.contentType,
        'Content-Length': String(picture.bytes),
        'X-Content-Type-Options': 'nosniff',
        ...headers,
      };
      // Hono answers HEAD with the GET handler and drops the body unread: release the file or socket behind it.
      if (c.req.method !== 'HEAD') return c.body(picture.body, 200, answer);
      if (picture.body instanceof ReadableStream) await picture.body.cancel();
      return c.body(null, 200, answer);
    })
    .get('/:userId/:version', async (c) => {
      const userId = checkUserId(c.req.param('userId'));
      const meta = (await service.lookup([userId])).pictures.get(userId);
      if (!meta || meta.version !== c.req.param('version')) {
        throw new ApiError(
          404,
          'not_found',
          `User ${userId} has no picture version ${JSON.stringify(c.req.param('version').slice(0, 80))}.`,
        );
      }
      return c.redirect(meta.url, 301);
    });
}
