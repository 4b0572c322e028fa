import type { DemoToken } from '../contract/demo.ts';
import type { ErrorBody, PictureMeta } from '../contract/picture.ts';

/** An upload that did not go through, with a message for the person who tried. */
export class SaveError extends Error {
  override name = 'SaveError';
}

/**
 * Uploads `file` as the demo user's picture: a token from the demo's sign-in, then the upload every site makes.
 *
 * @throws {SaveError} with words for the person: offline, no demo sign-in on this service, or the service's refusal.
 */
export async function savePicture(file: Blob, apiBase = '/api'): Promise<PictureMeta> {
  const signIn = await reach(fetch(`${apiBase}/demo/token`));
  if (signIn.status === 404) {
    throw new SaveError('This service has its own AUTH_SECRET, so the demo’s sign-in is off: uploads need a token from your site’s login.');
  }
  if (!signIn.ok) throw new SaveError(await reason(signIn));
  const { userId, token } = (await signIn.json()) as DemoToken;
  const upload = await reach(fetch(`${apiBase}/pictures/${encodeURIComponent(userId)}`, {
    method: 'PUT',
    body: file,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': file.type || 'application/octet-stream' },
  }));
  if (upload.status !== 201) throw new SaveError(await reason(upload));
  return (await upload.json()) as PictureMeta;
}

/** A fetch that failed to reach the service at all: nearly always no network. */
async function reach(request: Promise<Response>): Promise<Response> {
  try {
    return await request;
  } catch {
    throw new SaveError('The service cannot be reached (are you offline?). Your picture was not saved; try again once you are back online.');
  }
}

/** The service's own message: it says what to do. */
async function reason(res: Response): Promise<string> {
  const body = (await res.json().catch(() => undefined)) as ErrorBody | undefined;
  return body?.error.message ?? `The service answered ${res.status} ${res.statusText}; your picture was not saved.`;
}
