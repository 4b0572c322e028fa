import type { DemoToken } from '../contract/demo.ts';
import type { ErrorBody, PictureMeta } from '../contract/picture.ts';
import type { QueuedUpload } from '../sw/messages.ts';
import { sendWithProgress, type UploadStep } from './send-with-progress.ts';

/** An upload that did not go through, with a message for the person who tried. */
export class SaveError extends Error {
  override name = 'SaveError';
}

/** What became of an upload: saved, or kept by the service worker until the connection returns. */
export type Saved = { picture: PictureMeta } | { queued: string };

const OFFLINE =
  'The service cannot be reached (are you offline?). Your picture was not saved; try again once you are back online.';

/** The last token the demo's sign-in gave, so a picture chosen offline can still be sent later. */
let signedIn: DemoToken | undefined;

/**
 * Signs in as the demo user (`GET /api/demo/token`). Offline, a token from earlier that is still good for a minute
 * does; call it when the page opens, so there is one.
 *
 * @throws {SaveError} when there is no demo sign-in on this service, or no token and no network.
 */
export async function signIn(apiBase = '/api'): Promise<DemoToken> {
  let answer: Response;
  try {
    answer = await fetch(`${apiBase}/demo/token`);
  } catch {
    if (signedIn && signedIn.expiresAt > Date.now() + 60_000) return signedIn;
    throw new SaveError(OFFLINE);
  }
  if (answer.status === 404) {
    throw new SaveError(
      'This service has its own AUTH_SECRET, so the demo’s sign-in is off: uploads need a token from your site’s login.',
    );
  }
  if (!answer.ok) throw new SaveError(await reason(answer));
  return (signedIn = (await answer.json()) as DemoToken);
}

export interface SaveOptions {
  /** Told how far the upload is: bytes sent, then the service's processing. */
  onStep?: (step: UploadStep) => void;
  apiBase?: string;
}

/**
 * Uploads `file` as the demo user's picture, with the upload every site makes. Offline, the service worker keeps it
 * and sends it when the connection returns (it then fires `picture-upload-sent` or `picture-upload-failed`).
 *
 * @throws {SaveError} with words for the person: no sign-in, no network and no worker, or the service's refusal.
 */
export async function savePicture(
  file: Blob,
  { onStep = () => {}, apiBase = '/api' }: SaveOptions = {},
): Promise<Saved> {
  const { userId, token } = await signIn(apiBase);
  let upload: Response;
  try {
    upload = await sendWithProgress(
      `${apiBase}/pictures/${encodeURIComponent(userId)}`,
      {
        method: 'PUT',
        body: file,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': file.type || 'application/octet-stream' },
      },
      onStep,
    );
  } catch {
    throw new SaveError(OFFLINE);
  }
  if (upload.status === 202) return { queued: ((await upload.json()) as QueuedUpload).message };
  if (upload.status !== 201) throw new SaveError(await reason(upload));
  return { picture: (await upload.json()) as PictureMeta };
}

/** The service's own message: it says what to do. */
async function reason(res: Response): Promise<string> {
  const body = (await res.json().catch(() => undefined)) as ErrorBody | undefined;
  return body?.error.message ?? `The service answered ${res.status} ${res.statusText}; your picture was not saved.`;
}
