// Browser-test helper: shows pictures the way a page does, and waits until each has loaded or failed.
import { ContextProvider } from '@lit/context';
import '../../cached-profile-picture/cached-profile-picture.ts';
import { pictureSourceContext } from '../../store/context.ts';
import '../../store/picture-store-provider.ts';
import type { PictureSource } from '../../store/types.ts';

/**
 * Puts a `<cached-profile-picture loading="eager">` per id into `parent` and resolves once every one fired
 * `picture-load` or `picture-error`, with how many of each.
 */
export async function showPictures(
  parent: HTMLElement,
  userIds: readonly string[],
): Promise<{ loaded: number; failed: number }> {
  let loaded = 0;
  let failed = 0;
  const done = new Promise<void>((resolve) => {
    const count = (event: Event) => {
      if (event.type === 'picture-load') loaded++;
      else failed++;
      if (loaded + failed < userIds.length) return;
      parent.removeEventListener('picture-load', count);
      parent.removeEventListener('picture-error', count);
      resolve();
    };
    parent.addEventListener('picture-load', count);
    parent.addEventListener('picture-error', count);
  });
  for (const userId of userIds) {
    const picture = document.createElement('cached-profile-picture');
    picture.userId = userId;
    picture.loading = 'eager';
    parent.append(picture);
  }
  await done;
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
