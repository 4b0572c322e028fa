import { pictureTag } from './picture-tag.ts';
import { DEMO_USER } from './people.ts';

/**
 * Fills in the signed-in user wherever a page marks it: `data-me="<size>"` gets their picture (`data-shape` its
 * shape), the header's link their first name, `data-me-name` and `data-me-title` their name and title.
 */
export function showMe(root: ParentNode): void {
  for (const slot of root.querySelectorAll<HTMLElement>('[data-me]')) {
    const shape = slot.dataset.shape as 'rounded' | undefined;
    slot.append(pictureTag(DEMO_USER, { size: Number(slot.dataset.me), shape }));
    if (slot.matches('.me')) slot.append(Object.assign(document.createElement('span'), { textContent: DEMO_USER.name.split(' ')[0] }));
  }
  for (const name of root.querySelectorAll('[data-me-name]')) name.textContent = DEMO_USER.name;
  for (const title of root.querySelectorAll('[data-me-title]')) title.textContent = DEMO_USER.title;
}
