// Browser-test helper: shows pictures the way a page does, and waits until each has loaded or failed.
import { ContextProvider } from '@lit/context';
import '../../cached-profile-picture/cached-profile-picture.ts';
import { pictureSourceContext } from '../../store/context.ts';
import '../../store/picture-store-provider.ts';
import type { PictureSource } from '../../store/types.ts';
import { until } from '../../../scripts/testing/wait.ts';

/**
 * Puts a `<cached-profile-picture loading="eager">` per id into `parent` and resolves once every one fired
 * `picture-load` or `picture-error`, with how many of each; fails within 6 s (under a test's 10 s) naming the ids
 * that fired neither, and whether each has its image yet.
 */
export async function showPictures(
  parent: HTMLElement,
  userIds: readonly string[],
): Promise<{ loaded: number; failed: number }> {
  const pending = new Set<EventTarget>();
  let loaded = 0;
  let failed = 0;
  const count = (event: Event) => {
    if (!pending.delete(event.target!)) return;
    if (event.type === 'picture-load') loaded++;
    else failed++;
  };
  parent.addEventListener('picture-load', count);
  parent.addEventListener('picture-error', count);
  for (const userId of userIds) {
    const picture = document.createElement('cached-profile-picture');
    picture.userId = userId;
    picture.loading = 'eager';
    pending.add(picture);
    parent.append(picture);
  }
  try {
    await until(
      () => pending.size === 0,
      () =>
        `every picture to load or fail; still waiting for ${[...pending]
          .map((target) => {
            const picture = target as HTMLElement & { userId: string };
            const image = picture.shadowRoot?.querySelector<HTMLImageElement>('[part="image"]');
            const shows = image
              ? `image ${image.currentSrc || image.src}, ${image.complete ? 'complete' : 'loading'}`
              : 'no image: the lookup has not answered';
            return `${picture.userId} (${shows})`;
          })
          .join(', ')}`,
      6_000,
    );
  } finally {
    parent.removeEventListener('picture-load', count);
    parent.removeEventListener('picture-error', count);
  }
  return { loaded, failed };
}

/** A `<picture-store-provider>` in the document, whose store reports to the page's monitor. */
export function provider(): HTMLElement {
  const element = document.createElement('picture-store-provider');
  document.body.append(element);
  return element;
}

/** An element in the document that provides `source` to the pictures put inside it. */
export function providing(source: PictureSource): HTMLElement {
  const element = document.createElement('div');
  new ContextProvider(element, { context: pictureSourceContext, initialValue: source });
  document.body.append(element);
  return element;
}
