// Browser-test helpers for the real image service behind the test server (see web-test-runner.config.mjs).
import type { PictureMeta } from '../../contract/picture.ts';

let token: Promise<string> | undefined;

/** A PNG of one colour, drawn by the browser. */
export async function pngOf(colour: string, size = 32): Promise<Blob> {
  const canvas = new OffscreenCanvas(size, size);
  const context = canvas.getContext('2d')!;
  context.fillStyle = colour;
  context.fillRect(0, 0, size, size);
  return canvas.convertToBlob({ type: 'image/png' });
}

/**
 * Uploads at once at most: the service refuses a client more (`MAX_UPLOADS_PER_CLIENT`, 4 by default), and every test
 * page reaches it through the test server, as one client.
 */
const UPLOADS_AT_ONCE = 2;

/**
 * Uploads a picture for each user (as the operator) and answers their metadata; another `variant`, other pictures.
 * The service makes no copy wider than the upload: `size` 300 gets copies up to 256 pixels wide.
 */
export async function seed(userIds: readonly string[], variant = 0, size = 32): Promise<PictureMeta[]> {
  token ??= fetch('/__admin-token')
    .then((r) => r.json())
    .then((b: { token: string }) => b.token);
  const auth = { Authorization: `Bearer ${await token}` };
  const metas: PictureMeta[] = [];
  let next = 0;
  const uploader = async () => {
    for (let i = next++; i < userIds.length; i = next++) {
      const userId = userIds[i]!;
      const body = await pngOf(`hsl(${(i * 37 + variant * 101) % 360} 70% 50%)`, size);
      const res = await fetch(`/api/pictures/${userId}`, { method: 'PUT', body, headers: auth });
      if (res.status !== 201) throw new Error(`upload for ${userId} failed: ${res.status} ${await res.text()}`);
      metas[i] = (await res.json()) as PictureMeta;
    }
  };
  await Promise.all(Array.from({ length: UPLOADS_AT_ONCE }, uploader));
  return metas;
}

/** The requests that reached the image service since the last `resetRequests()`. */
export async function requests(): Promise<string[]> {
  return ((await (await fetch('/__requests')).json()) as { requests: string[] }).requests;
}

export async function resetRequests(): Promise<void> {
  await fetch('/__requests', { method: 'DELETE' });
}

/** Ids unique to one test, so tests sharing the service never see each other's pictures. */
export function users(prefix: string, count: number): string[] {
  const run = Math.random().toString(36).slice(2, 8);
  return Array.from({ length: count }, (_, i) => `${prefix}-${run}-${i}`);
}
