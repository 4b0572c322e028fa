// Uploads as the operator would make them, for tests and benchmarks.
import type { PictureMeta } from '../../contract/picture.ts';
import { admin } from './tokens.ts';

/** Uploads `body` as `userId`'s picture, as the operator; fails unless the service answers 201. */
export async function upload(
  base: string,
  userId: string,
  body: Uint8Array<ArrayBuffer>,
  contentType?: string,
): Promise<PictureMeta> {
  const headers = contentType ? { ...admin, 'Content-Type': contentType } : admin;
  const res = await fetch(`${base}/api/pictures/${userId}`, { method: 'PUT', body, headers });
  if (res.status !== 201) throw new Error(`upload of ${userId}'s picture answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as PictureMeta;
}
