import { CachedProfilePicture } from './cached-profile-picture.component.ts';
import type { PictureErrorDetail, PictureLoadDetail } from './profile-picture-controller.ts';

export * from './cached-profile-picture.component.ts';
export default CachedProfilePicture;
export { ProfilePictureController } from './profile-picture-controller.ts';
export type {
  PictureErrorDetail,
  PictureLoadDetail,
  ProfilePictureOptions,
  Shown,
} from './profile-picture-controller.ts';

// Two copies of the bundle on one page (a CMS snippet pasted twice) must not throw on the second define.
if (!customElements.get('cached-profile-picture'))
  customElements.define('cached-profile-picture', CachedProfilePicture);

declare global {
  interface HTMLElementTagNameMap {
    'cached-profile-picture': CachedProfilePicture;
  }
  interface GlobalEventHandlersEventMap {
    'picture-load': CustomEvent<PictureLoadDetail>;
    'picture-error': CustomEvent<PictureErrorDetail>;
  }
}
