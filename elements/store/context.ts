import { createContext } from '@lit/context';
import { PictureStore } from './picture-store.ts';
import type { PictureSource } from './types.ts';

/**
 * The picture source every element on the page shares. A registered symbol, so two copies of the bundle on one
 * page still find each other's provider.
 */
export const pictureSourceContext = createContext<PictureSource>(Symbol.for('cached-profile-pictures.source'));

const defaults = new Map<string, PictureStore>();

/** The page's store for `apiBase`, made on first use: a tag pasted with no provider on the page still shares one. */
export function defaultSource(apiBase: string): PictureStore {
  const key = apiBase.replace(/\/$/, '');
  let store = defaults.get(key);
  if (!store) defaults.set(key, (store = new PictureStore({ apiBase: key })));
  return store;
}
