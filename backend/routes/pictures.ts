import { Hono, type Context } from 'hono';
import type { PictureMeta } from '../../contract/picture.ts';
import type { Auth } from '../auth.ts';
import type { Admission } from '../concurrency.ts';
import { RETRY_AFTER_SECONDS } from '../errors.ts';
import type { PictureService } from '../pictures.ts';
import { checkUserId } from '../user-id.ts';
import { admit, type Refusal } from './admit.ts';
import { heldBytes, readUpload, type UploadLimits } from './upload-body.ts';

/** Uploads take seconds: a place is likely free again soon. */
const uploadRefusal: Refusal = {
  client:
    'This client is sending as many uploads as it may at once (MAX_UPLOADS_PER_CLIENT); send this one when another has finished.',
  total:
    'The service is receiving as many uploads as it may hold at once (MAX_UPLOAD_MEMORY_BYTES); try again shortly.',
  retryAfterSeconds: RETRY_AFTER_SECONDS,
};

/**
 * `/api/pictures/:userId`: upload and delete (the lookups are `lookups.ts`). Uploads are admitted by `uploads` before
 * their body is read, each counted at the bytes it may hold, per client (`clientOf`) and in all.
 */
export function pictureRoutes(options: {
  service: PictureService;
  auth: Auth;
  upload: UploadLimits;
  uploads: Admission;
  clientOf: (c: Context) => string | undefined;
  /** The metadata as pages see it (`LookupAnswers.published`). */
  published: (meta: PictureMeta) => PictureMeta;
}) {
  const { service, auth, upload, uploads, clientOf, published } = options;
  return new Hono()
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
