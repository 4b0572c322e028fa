// Browser-test helper: every image URL a `<cached-profile-picture>` ever put in its shadow root, not only the last.
import type { CachedProfilePicture } from '../cached-profile-picture/cached-profile-picture.ts';
import '../cached-profile-picture/cached-profile-picture.ts';

/** A picture being shown, with what its images named and how it ended. */
export interface Shown {
  element: CachedProfilePicture;
  /** Every `src` and `srcset` any `<img>` of its shadow root held, in order. */
  urls: string[];
  /** `picture-load` or `picture-error`, whichever came first. */
  outcome: Promise<'picture-load' | 'picture-error'>;
}

/** Puts a `<cached-profile-picture loading="eager">` for `userId` into `parent`, watching its images from the start. */
export function show(parent: HTMLElement, userId: string, label = 'Ann Other'): Shown {
  const element = document.createElement('cached-profile-picture');
  Object.assign(element, { userId, label, loading: 'eager' });
  const outcome = new Promise<'picture-load' | 'picture-error'>((resolve) => {
    for (const type of ['picture-load', 'picture-error'] as const)
      element.addEventListener(type, () => resolve(type), { once: true });
  });
  const urls: string[] = [];
  const note = (img: Element) => {
    for (const name of ['src', 'srcset']) if (img.hasAttribute(name)) urls.push(img.getAttribute(name)!);
  };
  parent.append(element);
  // Lit renders in a microtask: the observer is there before the first render.
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.oldValue) urls.push(record.oldValue);
      if (record.type === 'attributes' && record.target instanceof HTMLImageElement) note(record.target);
      for (const node of record.addedNodes)
        if (node instanceof Element)
          [node, ...node.querySelectorAll('img')].filter((el) => el instanceof HTMLImageElement).forEach(note);
    }
  }).observe(element.shadowRoot!, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeOldValue: true,
    attributeFilter: ['src', 'srcset'],
  });
  return { element, urls, outcome };
}

/** The text of the element's fallback (its initials), or `undefined` when it shows none. */
export function fallbackText(element: HTMLElement): string | undefined {
  return element.shadowRoot!.querySelector('[part~="fallback"]')?.textContent?.trim();
}

/** The `src` of the element's picture, or `undefined` when it shows none. */
export function pictureSrc(element: HTMLElement): string | undefined {
  return element.shadowRoot!.querySelector('[part~="image"]')?.getAttribute('src') ?? undefined;
}
