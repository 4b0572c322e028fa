import { createContext } from '@lit/context';
import { pageMonitor } from '../monitor/page-monitor.ts';
import { PictureStore } from './picture-store.ts';
import type { PictureSource } from './types.ts';

/**
 * The picture source every element on the page shares. A registered symbol, so two copies of the bundle on one
 * page still find each other's provider.
 */
export const pictureSourceContext = createContext<PictureSource>(Symbol.for('cached-profile-pictures.source'));

const defaults = new Map<string, PictureStore>();

/**
 * The page's store for `apiBase`, made on first use: a tag pasted with no provider on the page still shares one.
 * It reports to the page's monitor (`window.cacheMonitor`).
 */
export function defaultSource(apiBase: string): PictureStore {
  const key = apiBase.replace(/\/$/, '');
  let store = defaults.get(key);
  if (!store) {
    const monitor = pageMonitor();
    defaults.set(key, (store = new PictureStore({ apiBase: key, monitor })));
    monitor.stores.add(store);
  }
  return store;
}
