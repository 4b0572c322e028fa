import type { PictureStore } from '../elements/store/picture-store.ts';
import { UPLOAD_FAILED_EVENT, UPLOAD_SENT_EVENT, type WorkerNotice } from '../sw/registration.ts';
import { DEMO_USER } from './people.ts';
import { savePicture, SaveError, signIn } from './save-picture.ts';
import type { UploadStep } from './send-with-progress.ts';
import { checkPicture } from './upload-checks.ts';
import { showUploadStep } from './upload-progress.ts';

/**
 * The profile page's form: a picture dropped or chosen is checked and previewed; saved, it is uploaded and the
 * store invalidated, so every picture of the user on this page changes at once and other tabs follow (the store
 * tells them, and the service's `picture-changed` event reaches every page watching it). While it is sent, a bar
 * shows the bytes on their way, then the service's processing; the status line says each step once. Offline, the
 * service worker keeps the upload and sends it when the connection returns; the page says so, then how it went.
 */
export function setUpUpload(root: ParentNode): void {
  const form = root.querySelector<HTMLFormElement>('[data-upload]')!;
  const input = form.querySelector<HTMLInputElement>('input[type="file"]')!;
  const zone = form.querySelector<HTMLElement>('[data-dropzone]')!;
  const preview = form.querySelector<HTMLImageElement>('[data-preview]')!;
  const icon = form.querySelector<SVGElement>('[data-icon]')!;
  const hint = form.querySelector<HTMLElement>('[data-hint]')!;
  const chosenHint = form.querySelector<HTMLElement>('[data-chosen]')!;
  const message = form.querySelector<HTMLElement>('[data-message]')!;
  const save = form.querySelector<HTMLButtonElement>('[data-save]')!;
  const cancel = form.querySelector<HTMLButtonElement>('[data-cancel]')!;
  const progress = form.querySelector<HTMLElement>('[data-progress]')!;
  let chosen: File | undefined;
  /** While a picture is on its way, no other can be chosen. */
  let sending = false;

  const say = (kind: 'error' | 'success' | 'info', text: string) => {
    message.dataset.kind = kind;
    message.textContent = text;
  };
  const show = (file: File | undefined) => {
    if (preview.src) URL.revokeObjectURL(preview.src);
    chosen = file;
    preview.hidden = !file;
    if (file) preview.src = URL.createObjectURL(file);
    else preview.removeAttribute('src');
    icon.toggleAttribute('hidden', Boolean(file));
    hint.hidden = Boolean(file);
    chosenHint.hidden = !file;
    chosenHint.querySelector('[data-file-name]')!.textContent = file?.name ?? '';
    save.disabled = !file;
    cancel.hidden = !file;
  };
  const choose = async (file: File | undefined) => {
    if (!file || sending) return;
    // The picture chosen before, if any, stays chosen: a wrong file loses nothing.
    const problem = checkPicture(file) ?? (await undecodable(file));
    if (problem) return say('error', problem);
    say('info', '');
    show(file);
  };

  const store = () => root.querySelector('picture-store-provider')?.store as PictureStore | undefined;
  // Signed in while online, so a picture chosen offline can be kept and sent later.
  signIn().catch(() => {});
  addEventListener(UPLOAD_SENT_EVENT, async () => {
    await store()?.invalidate(DEMO_USER.id);
    say('success', 'Back online: the picture you saved offline went through, and now shows everywhere you appear.');
  });
  addEventListener(UPLOAD_FAILED_EVENT, (event) => {
    const notice = (event as CustomEvent<Extract<WorkerNotice, { type: 'upload-failed' }>>).detail;
    say('error', `The picture you saved offline was refused: ${notice.message}`);
  });

  input.addEventListener('change', () => {
    void choose(input.files?.[0]);
    input.value = '';
  });
  for (const type of ['dragenter', 'dragover']) {
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.dataset.over = '';
    });
  }
  zone.addEventListener('dragleave', () => delete zone.dataset.over);
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    delete zone.dataset.over;
    void choose(event.dataTransfer?.files[0]);
  });
  cancel.addEventListener('click', () => {
    show(undefined);
    say('info', '');
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!chosen) return;
    sending = save.disabled = cancel.disabled = input.disabled = true;
    let current: UploadStep['step'] | undefined;
    // The bar follows every byte; the status line speaks once a step, not at every percent.
    const onStep = (step: UploadStep) => {
      if (step.step !== current) say('info', STEP_MESSAGES[(current = step.step)]);
      showUploadStep(progress, step);
    };
    // At once: signing in comes before the first byte.
    onStep({ step: 'sending', sent: 0, total: chosen.size });
    try {
      const saved = await savePicture(chosen, { onStep });
      show(undefined);
      if ('queued' in saved) return say('info', saved.queued);
      await store()?.invalidate(DEMO_USER.id);
      say('success', 'Saved. Your new picture now shows everywhere you appear, in every open tab.');
    } catch (error) {
      save.disabled = false;
      say(
        'error',
        error instanceof SaveError ? error.message : `Your picture was not saved: ${(error as Error).message}`,
      );
    } finally {
      sending = cancel.disabled = input.disabled = false;
      showUploadStep(progress, undefined);
    }
  });
}

const STEP_MESSAGES: Record<UploadStep['step'], string> = {
  sending: 'Uploading your picture…',
  processing: 'Processing: the service is cropping your picture and making its sizes…',
};

/** Why the browser cannot show `file` (named and typed like a picture, it is not one), or `undefined` when it can. */
async function undecodable(file: File): Promise<string | undefined> {
  try {
    (await createImageBitmap(file)).close();
    return undefined;
  } catch {
    return `“${file.name}” cannot be shown as a picture: it is damaged, or not the image its name says. Choose another.`;
  }
}
