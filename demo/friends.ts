import type { PictureLoadDetail } from '../elements/cached-profile-picture/profile-picture-controller.ts';
import type { PictureStore } from '../elements/store/picture-store.ts';
import { pictureTag } from './picture-tag.ts';
import { FRIENDS } from './people.ts';

/**
 * The front page: the friend list, and three live figures above it (pictures shown, how many this device answered
 * without asking the server, and the lookups this page sent).
 */
export function showFriends(root: ParentNode): void {
  const list = root.querySelector('[data-friends]')!;
  list.append(
    ...FRIENDS.map((friend) => {
      const item = document.createElement('li');
      item.className = 'friend';
      const text = document.createElement('div');
      text.append(Object.assign(document.createElement('strong'), { textContent: friend.name }), Object.assign(document.createElement('span'), { textContent: friend.title }));
      item.append(pictureTag(friend, { size: 48 }), text);
      return item;
    }),
  );

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
