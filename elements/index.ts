/**
 * The drop-in bundle's entry: registers `<cached-profile-picture>`, `<picture-store-provider>` and `<cache-dashboard>`
 * (whose panel is a module of its own, fetched only where the tag is), so a page needs one script tag and the tags.
 * Also the package's public API for code that wants the store itself.
 *
 * @example
 * <script type="module" src="https://pictures.example/cached-profile-picture.js"></script>
 * <cached-profile-picture user-id="ada" label="Ada Lovelace" api-base="https://pictures.example/api"></cached-profile-picture>
 */
// Order matters: the context root listens before any element asks, and the provider is defined before the
// pictures, so pictures already in the page's HTML find a provider written around them.
import './store/context-root.ts';
import './store/picture-store-provider.ts';
import './cached-profile-picture/cached-profile-picture.ts';
import './cache-dashboard/cache-dashboard.ts';

export { CacheDashboard, type Position } from './cache-dashboard/cache-dashboard.ts';
export { CachedProfilePicture, type Shape } from './cached-profile-picture/cached-profile-picture.ts';
export { ProfilePictureController } from './cached-profile-picture/profile-picture-controller.ts';
// The events' details: picture-load and picture-error on the element; picture-upload-sent, -failed and -expired on
// window, from the service worker a provider registers.
export type { PictureErrorDetail, PictureLoadDetail } from './cached-profile-picture/cached-profile-picture.ts';
export type { WorkerNotice } from '../sw/messages.ts';
export { defaultSource, pictureSourceContext } from './store/context.ts';
export { PictureStore, type PictureStoreOptions, type StoreStats } from './store/picture-store.ts';
export { PictureStoreProvider } from './store/picture-store-provider.ts';
export type {
  ByteOrigin,
  MetaLayer,
  PictureMonitor,
  PictureSource,
  Resolution,
  ResolutionReport,
} from './store/types.ts';
export { CachePerformanceMonitor } from './monitor/monitor.ts';
export type { CacheMetrics, LayerFigures, MonitorExport } from './monitor/figures.ts';
export { pageMonitor } from './monitor/page-monitor.ts';
