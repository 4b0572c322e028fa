import type { PictureLoadDetail } from '../elements/cached-profile-picture/profile-picture-controller.ts';
import type { PictureStore } from '../elements/store/picture-store.ts';

/**
 * The front page's three figures above the friend list: pictures shown, how many this device answered without
 * asking the server, and the lookups this page sent. They change with every picture, so they are no live region:
 * a screen reader would read each of the 150 changes of a first visit.
 */
export function countFriends(root: ParentNode): void {
  const list = root.querySelector('[data-friends]')!;
  const fact = (name: string) => root.querySelector(`[data-fact="${name}"]`)!;
  const shown = new Set<string>();
  const local = new Set<string>();
  list.addEventListener('picture-load', (event) => {
    const { userId, layer } = (event as CustomEvent<PictureLoadDetail>).detail;
    shown.add(userId);
    if (layer !== 'network') local.add(userId);
    fact('shown').textContent = String(shown.size);
    fact('local').textContent = String(local.size);
    const store = root.querySelector('picture-store-provider')?.store as PictureStore | undefined;
    fact('requests').textContent = String(store?.stats().requests ?? 0);
  });
}
