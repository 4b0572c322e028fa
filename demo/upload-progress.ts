import { bytes } from '../elements/monitor/format.ts';
import type { UploadStep } from './send-with-progress.ts';

/**
 * The profile form's progress bar (`[data-progress]`): bytes sent of the total while the picture is on its way, then
 * a bar without a value while the service makes its copies; hidden with no upload. Its figures change many times a
 * second, so they are in no live region: the form's status line says each step once.
 */
export function showUploadStep(box: HTMLElement, step: UploadStep | undefined): void {
  box.hidden = !step;
  if (!step) return;
  const bar = box.querySelector('progress')!;
  const label = box.querySelector('label')!;
  const figures = box.querySelector<HTMLElement>('[data-progress-figures]')!;
  if (step.step === 'sending') {
    label.textContent = 'Uploading';
    bar.max = step.total;
    bar.value = step.sent;
    figures.textContent = `${bytes(step.sent)} of ${bytes(step.total)}`;
  } else {
    label.textContent = 'Processing';
    // No value: the bar shows work under way whose length nobody knows.
    bar.removeAttribute('value');
    figures.textContent = 'cropping and resizing';
  }
}
