// <cached-profile-picture> on a page sent with `Content-Security-Policy: style-src 'self'` (no 'unsafe-inline'), as
// strict sites and many CMSs are: its size and the user's colours, set through the CSSOM, still apply, and it causes
// no violation. The page is a frame served by the test server (elements/testing/csp-page.mjs).
import { expect } from '@esm-bundle/chai';
import { until } from '../../scripts/testing/wait.ts';
import { users } from '../testing/service.ts';
import type { CachedProfilePicture } from './cached-profile-picture.ts';
import { colorsOf } from './fallback.ts';

describe('<cached-profile-picture> under a Content-Security-Policy without unsafe-inline', () => {
  let frame: HTMLIFrameElement;
  afterEach(() => frame?.remove());

  it("shows the initials at their size in the user's colours, and causes no violation", async () => {
    frame = document.createElement('iframe');
    frame.src = `/__csp?module=${encodeURIComponent('/elements/cached-profile-picture/cached-profile-picture.ts')}`;
    document.body.append(frame);
    await until(() => frame.contentWindow?.customElements.get('cached-profile-picture'), 'the strict page', 5_000);
    const win = frame.contentWindow as Window & typeof globalThis;
    const violations: string[] = [];
    win.document.addEventListener('securitypolicyviolation', (event) => violations.push(event.effectiveDirective));

    const [id] = users('csp', 1);
    const picture = win.document.createElement('cached-profile-picture') as CachedProfilePicture;
    Object.assign(picture, { userId: id!, label: 'Ada Lovelace', size: 64, loading: 'eager' });
    win.document.body.append(picture);
    const fallback = () => picture.shadowRoot!.querySelector<HTMLElement>('[part~="fallback"]');
    await until(
      () =>
        fallback()?.checkVisibility({ visibilityProperty: true }) && picture.shadowRoot!.textContent!.trim() === 'AL',
      'the initials',
      5_000,
    );

    const style = win.getComputedStyle(fallback()!);
    const probe = win.document.createElement('i');
    win.document.body.append(probe);
    const computed = (colour: string) => {
      probe.style.color = colour;
      return win.getComputedStyle(probe).color;
    };
    expect([style.width, style.backgroundColor, style.color]).to.deep.equal(['64px', ...colorsOf(id!).map(computed)]);
    expect(violations).to.deep.equal([]);
  });
});
