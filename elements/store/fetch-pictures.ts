import type { PictureBatch, PictureMeta } from '../../contract/picture.ts';

/** The most users the service answers in one batch. */
const MAX_BATCH = 100;

/**
 * Asks the service which picture is current for each user: one `GET {apiBase}/pictures?users=…` per 100 users,
 * all in parallel. Throws when the service cannot be reached or answers with an error.
 */
export async function fetchPictures(apiBase: string, userIds: readonly string[], fetcher: typeof fetch = fetch): Promise<Map<string, PictureMeta | null>> {
  const chunks: string[][] = [];
  for (let i = 0; i < userIds.length; i += MAX_BATCH) chunks.push(userIds.slice(i, i + MAX_BATCH));
  const answers = await Promise.all(
    chunks.map(async (chunk) => {
      const res = await fetcher(`${apiBase}/pictures?users=${chunk.map(encodeURIComponent).join(',')}`);
      if (!res.ok) throw new Error(`The picture service answered ${res.status} for ${chunk.length} users`);
      return ((await res.json()) as PictureBatch).pictures;
    }),
  );
  const pictures = new Map<string, PictureMeta | null>();
  for (const answer of answers) for (const [userId, meta] of Object.entries(answer)) pictures.set(userId, meta);
  for (const userId of userIds) if (!pictures.has(userId)) pictures.set(userId, null);
  return pictures;
}
