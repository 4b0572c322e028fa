// <cached-profile-picture> in every state it can be in, checked with axe-core inside a page's main landmark: the
// picture, the initials, the silhouette, decorative (picture and initials), an error, and loading (before the lookup
// answers, and an image still arriving). Each names the user once, or no one, and has no violation.
import { expect } from '@esm-bundle/chai';
import 'axe-core/axe.min.js';
import type { AxeResults, RunOptions } from 'axe-core';
import type { PictureMeta } from '../../contract/picture.ts';
import { seed, users } from '../testing/service.ts';
import type { CachedProfilePicture } from './cached-profile-picture.ts';
import './cached-profile-picture.ts';
import { mount, mounted, resolution, TestSource } from './testing/test-source.ts';
import { until } from '../../scripts/testing/wait.ts';

declare const axe: { run(context: Element, options?: RunOptions): Promise<AxeResults> };

const image = (element: Element) => element.shadowRoot!.querySelector<HTMLImageElement>('[part~="image"]');
const fallback = (element: Element) => element.shadowRoot!.querySelector<HTMLElement>('[part~="fallback"]');

/** What the element says to assistive technology: the names it gives, and the text it shows. */
function announced(element: Element): { names: string[]; shows: string } {
  const root = element.shadowRoot!;
  const names = [
    ...[...root.querySelectorAll('img')]
      .filter((img) => !img.closest('[aria-hidden="true"]') && img.alt)
      .map((img) => `img: ${img.alt}`),
    ...[...root.querySelectorAll('[role="img"]:not([aria-hidden="true"])')].map(
      (el) => `role=img: ${el.getAttribute('aria-label')}`,
    ),
  ];
  const standIn = fallback(element);
  if (!standIn?.checkVisibility({ visibilityProperty: true })) return { names, shows: 'picture' };
  return {
    names,
    shows: getComputedStyle(standIn).backgroundImage.startsWith('linear-gradient(')
      ? 'preview'
      : standIn.querySelector('svg')
        ? 'silhouette'
        : standIn.textContent!.trim(),
  };
}

/** axe-core's violations inside `element`, and the rules it passed. */
async function check(element: Element): Promise<{ violations: string[]; passed: string[] }> {
  const results = await axe.run(element, { resultTypes: ['violations'] });
  return {
    violations: results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    passed: results.passes.map((rule) => rule.id),
  };
}

describe('<cached-profile-picture> accessibility, in every state', () => {
  let pic: PictureMeta;
  let main: HTMLElement;
  before(async () => {
    [pic] = await seed(users('a11y', 1), 0, 300);
  });
  beforeEach(() => {
    main = document.createElement('main');
    document.body.append(main);
    mounted.push(main);
  });
  afterEach(() => {
    for (const element of mounted.splice(0)) element.remove();
  });

  /** An element in the main landmark, on a source that answers `meta` for `ada` (`undefined`: held until released). */
  function shown(
    attributes: Record<string, string>,
    meta?: PictureMeta | null,
  ): { element: CachedProfilePicture; release: () => void } {
    const source = new TestSource();
    let release = () => {};
    if (meta === undefined) release = source.hold('ada');
    else source.known.set('ada', resolution('ada', meta));
    const element = mount(source, { 'user-id': 'ada', loading: 'eager', ...attributes });
    main.append(element.parentElement!);
    return { element, release };
  }
  const loaded = (element: Element) =>
    until(
      () => image(element)?.complete && image(element)!.naturalWidth > 0 && !fallback(element),
      'the picture',
      5_000,
    );
  const standingIn = (element: Element) =>
    until(() => fallback(element)?.checkVisibility({ visibilityProperty: true }), 'the fallback', 5_000);

  it('the picture: the image names the user', async () => {
    const { element } = shown({ label: 'Ada Lovelace' }, pic);
    await loaded(element);
    expect(announced(element)).to.deep.equal({ names: ['img: Ada Lovelace'], shows: 'picture' });
    const { violations, passed } = await check(element);
    expect(violations).to.deep.equal([]);
    expect(passed).to.include('image-alt');
  });

  it('the initials: the fallback names the user, in colours of 4.5:1 or more', async () => {
    const { element } = shown({ label: 'Ada Lovelace' }, null);
    await standingIn(element);
    expect(announced(element)).to.deep.equal({ names: ['role=img: Ada Lovelace'], shows: 'AL' });
    const { violations, passed } = await check(element);
    expect(violations).to.deep.equal([]);
    expect(passed).to.include.members(['role-img-alt', 'color-contrast']);
  });

  it('initials given apart from the label: shown, the label still names the user', async () => {
    const { element } = shown({ label: 'Ada King, Countess of Lovelace', initials: 'AL' }, null);
    await standingIn(element);
    expect(announced(element)).to.deep.equal({ names: ['role=img: Ada King, Countess of Lovelace'], shows: 'AL' });
    expect((await check(element)).violations).to.deep.equal([]);
  });

  it('the silhouette, without a label: names no one', async () => {
    const { element } = shown({}, null);
    await standingIn(element);
    expect(announced(element)).to.deep.equal({ names: [], shows: 'silhouette' });
    expect(fallback(element)!.getAttribute('aria-hidden')).to.equal('true');
    expect((await check(element)).violations).to.deep.equal([]);
  });

  it('decorative, beside the written name: the picture and the initials show, and name no one', async () => {
    const { element: picture } = shown({ label: 'Ada Lovelace', decorative: '' }, pic);
    await loaded(picture);
    expect(image(picture)!.getAttribute('alt')).to.equal('', 'alt="": no image to assistive technology');
    expect(announced(picture)).to.deep.equal({ names: [], shows: 'picture' });
    expect((await check(picture)).violations).to.deep.equal([]);

    const { element: initials } = shown({ label: 'Ada Lovelace', decorative: '' }, null);
    await standingIn(initials);
    expect(announced(initials)).to.deep.equal({ names: [], shows: 'AL' });
    expect(fallback(initials)!.getAttribute('aria-hidden')).to.equal('true');
    expect(fallback(initials)!.hasAttribute('aria-label')).to.equal(false);
    expect((await check(initials)).violations).to.deep.equal([]);
  });

  it('an error: the initials name the user', async () => {
    const broken = {
      ...pic,
      variants: [],
      url: `${location.origin}/images/nobody/0123456789abcdef`,
      version: 'broken',
    };
    const { element } = shown({ label: 'Ada Lovelace' }, broken);
    await new Promise((resolve) => element.addEventListener('picture-error', resolve, { once: true }));
    await until(() => !image(element), 'the image gone', 5_000);
    await standingIn(element);
    expect(announced(element)).to.deep.equal({ names: ['role=img: Ada Lovelace'], shows: 'AL' });
    expect((await check(element)).violations).to.deep.equal([]);
  });

  it('loading: the initials name the user until the lookup answers; then the image does, over its preview', async () => {
    const { element, release } = shown({ label: 'Ada Lovelace' });
    await standingIn(element);
    expect(announced(element)).to.deep.equal({ names: ['role=img: Ada Lovelace'], shows: 'AL' });
    expect((await check(element)).violations).to.deep.equal([]);
    release();

    // An image that takes 10 s to arrive, as on a slow network: the preview stands in for it.
    const { element: arriving } = shown(
      { label: 'Ada Lovelace' },
      { ...pic, variants: [], url: `${location.origin}/__slow?ms=10000&for=a11y` },
    );
    await standingIn(arriving);
    expect(announced(arriving)).to.deep.equal({ names: ['img: Ada Lovelace'], shows: 'preview' });
    expect(image(arriving)!.complete).to.equal(false);
    expect((await check(arriving)).violations).to.deep.equal([]);
  });
});
