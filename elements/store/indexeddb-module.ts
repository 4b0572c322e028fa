/**
 * The module a page fetches after its first frames, which memory and LocalStorage serve without it: the IndexedDB
 * layer (with `idb`) and the keeping and showing of the pictures' bytes, which need it. See `indexeddb-lazy.ts`.
 */
export { createPictureBytes } from './picture-bytes.ts';
export { createIndexedDbLayer } from './layers/indexeddb.ts';
