// <cached-profile-picture> in Chromium, showing real pictures uploaded to the image service for the run.
//
// Most tests give the element a PictureSource of their own (TestSource, testing/test-source.ts) through a context
// provider: the store is tested on its own (elements/store/), and here the subject is the element's rendering, so each
// test decides what the source answers and when, and reads what the element asked of it. The last group runs the
// element on the real store (`defaultSource`, no provider) and counts the requests that reached the service.
import { expect } from '@esm-bundle/chai';
import { html, LitElement } from 'lit';
import type { PictureMeta } from '../../contract/picture.ts';
import { sleep, until as waitUntil } from '../../scripts/testing/wait.ts';
import { defaultSource } from '../store/context.ts';
import { pngOf, requests, seed, users } from '../testing/service.ts';
import { CachedProfilePicture } from './cached-profile-picture.ts';
import { colorsOf, initialsOf } from './fallback.ts';
import { ProfilePictureController, SLOW_IMAGE_MS } from './profile-picture-controller.ts';
import { mount, mounted, resolution, type TestProvider, TestSource } from './testing/test-source.ts';

type Fn = () => unknown;
const { describe, it, before, afterEach } = globalThis as unknown as {
  describe(title: string, fn: () => void): void;
  it(title: string, fn: Fn): void;
  before(fn: Fn): void;
  afterEach(fn: Fn): void;
};

afterEach(() => {
  for (const element of mounted.splice(0)) element.remove();
  window.scrollTo(0, 0);
});

function image(element: Element): HTMLImageElement | null {
  return element.shadowRoot!.querySelector('[part~="image"]');
}

function fallback(element: Element): HTMLElement | null {
  return element.shadowRoot!.querySelector('[part~="fallback"]');
}

/** Whether a user sees `element`: rendered, and not hidden. */
function visible(element: Element | null | undefined): boolean {
  return element?.checkVisibility({ visibilityProperty: true }) ?? false;
}

/** `colour` as getComputedStyle serializes it. */
function computed(colour: string): string {
  const probe = document.createElement('i');
  probe.style.color = colour;
  document.body.append(probe);
  const value = getComputedStyle(probe).color;
  probe.remove();
  return value;
}

function nextEvent<T>(target: EventTarget, type: string): Promise<CustomEvent<T>> {
  return new Promise((resolve) =>
    target.addEventListener(type, (event) => resolve(event as CustomEvent<T>), { once: true }),
  );
}

/** `until` of scripts/testing/wait.ts, failing after 3 s unless told otherwise. */
const until = (condition: () => unknown, what: string, timeoutMs = 3_000) => waitUntil(condition, what, timeoutMs);

const frames = async (count: number) => {
  for (let i = 0; i < count; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
};

/**
 * A block taller than the viewport (removed after the test): what is mounted after it starts far below the viewport.
 */
function addSpacer(): void {
  const spacer = document.createElement('div');
  spacer.style.height = `${innerHeight + 3_000}px`;
  document.body.append(spacer);
  mounted.push(spacer);
}

describe('<cached-profile-picture>', () => {
  let red: PictureMeta;
  let blue: PictureMeta;
  let redPng: Blob;
  before(async () => {
    [red, blue] = await seed(users('element', 2));
    redPng = await pngOf('#c00');
  });

  it('is registered under its tag', () => {
    expect(customElements.get('cached-profile-picture')).to.equal(CachedProfilePicture);
    expect(document.createElement('cached-profile-picture')).to.be.instanceOf(CachedProfilePicture);
  });

  it('renders a picture the source knows in its first update, without calling get', async () => {
    const source = new TestSource();
    source.known.set('ada', resolution('ada', red));
    const element = mount(source, { 'user-id': 'ada', label: 'Ada Lovelace' });
    await element.updateComplete;
    expect(image(element)?.getAttribute('src')).to.equal(red.url);
    expect(source.peeked).to.deep.equal(['ada']);
    expect(source.asked).to.deep.equal([]);
    expect(visible(fallback(element)), 'a known picture: nothing stands in for it').to.equal(false);
  });

  it('asks get when peek does not know the user, showing the fallback meanwhile', async () => {
    const source = new TestSource();
    source.answers.set('bob', resolution('bob', red, { layer: 'network' }));
    const release = source.hold('bob');
    const element = mount(source, { 'user-id': 'bob', label: 'Bob', loading: 'eager' });
    await element.updateComplete;
    expect(source.asked).to.deep.equal(['bob']);
    expect(image(element)).to.equal(null);
    expect(fallback(element)?.textContent?.trim()).to.equal('B');
    release();
    await until(() => image(element), 'the image');
    expect(image(element)!.getAttribute('src')).to.equal(red.url);
  });

  it('shows the initials of the label on a colour from the user id when there is no picture', async () => {
    const source = new TestSource();
    const element = mount(source, { 'user-id': 'nopic', label: '  ada  King lovelace ', loading: 'eager' });
    const twin = mount(source, { 'user-id': 'nopic', label: 'Someone Else', loading: 'eager' });
    const other = mount(source, { 'user-id': 'nopic-2', label: 'Someone Else', loading: 'eager' });
    await until(() => source.asked.length === 3, 'three lookups');
    await Promise.all([element.updateComplete, twin.updateComplete, other.updateComplete]);
    const shown = fallback(element)!;
    expect(image(element)).to.equal(null);
    expect(shown.textContent!.trim()).to.equal('AL');
    expect(shown.getAttribute('role')).to.equal('img');
    expect(shown.getAttribute('aria-label')).to.equal('  ada  King lovelace ');
    const background = (el: Element) => getComputedStyle(fallback(el)!).backgroundColor;
    expect(background(element)).to.equal(background(twin), 'same id, same colour');
    expect(background(element)).not.to.equal(background(other));
  });

  it('shows a silhouette, hidden from assistive technology, with no label', async () => {
    const source = new TestSource();
    const element = mount(source, { 'user-id': 'anon', loading: 'eager' });
    await until(() => source.asked.length, 'the lookup');
    await element.updateComplete;
    const shown = fallback(element)!;
    expect(shown.querySelector('svg')).not.to.equal(null);
    expect(shown.textContent!.trim()).to.equal('');
    expect(shown.hasAttribute('aria-label')).to.equal(false);
    expect(shown.getAttribute('aria-hidden')).to.equal('true');
  });

  it('shows the fallback and fires picture-error when the image fails and no Blob is stored', async () => {
    const source = new TestSource();
    const broken = {
      ...red,
      variants: [],
      url: `${location.origin}/images/nobody/0123456789abcdef`,
      version: 'broken',
    };
    source.known.set('eve', resolution('eve', broken));
    const element = mount(source, { 'user-id': 'eve', label: 'Eve Smith' });
    const failed = nextEvent<{ userId: string; error: unknown }>(element, 'picture-error');
    await element.updateComplete;
    expect(image(element)).not.to.equal(null);
    const { detail } = await failed;
    expect(detail.userId).to.equal('eve');
    expect(detail.error).to.be.instanceOf(Error);
    await element.updateComplete;
    expect(image(element)).to.equal(null);
    expect(fallback(element)!.textContent!.trim()).to.equal('ES');
    expect(source.acquired).to.deep.equal(['broken'], 'the Blob was tried once');
  });

  it('shows the stored Blob when the image fails and one is stored', async () => {
    const source = new TestSource();
    const broken = { ...red, variants: [], url: `${location.origin}/images/nobody/fedcba9876543210`, version: 'kept' };
    source.known.set('fay', resolution('fay', broken));
    source.blobs.set('kept', redPng);
    const element = mount(source, { 'user-id': 'fay', label: 'Fay' });
    const loaded = nextEvent<{ userId: string; layer: string; ms: number }>(element, 'picture-load');
    await element.updateComplete;
    await until(() => image(element)?.getAttribute('src')?.startsWith('blob:'), 'the object URL');
    await loaded;
    expect(image(element)!.naturalWidth).to.equal(32);
    expect(source.reports.at(-1)).to.include({ userId: 'fay', source: 'indexedDB' });
    expect(source.loadedCalls).to.deep.equal([], 'loaded() is for the picture URL, not the Blob');
  });

  it('shows the stored Blob, not the URL, when the URL is not usable', async () => {
    const source = new TestSource();
    source.known.set('gus', resolution('gus', red, { urlUsable: false }));
    source.blobs.set(red.version, redPng);
    const element = mount(source, { 'user-id': 'gus' });
    await element.updateComplete;
    await until(() => image(element), 'the image');
    expect(image(element)!.getAttribute('src')).to.match(/^blob:/);
    expect(source.acquired).to.deep.equal([red.version]);
  });

  it('falls back to the URL when it is not usable and no Blob is stored', async () => {
    const source = new TestSource();
    source.known.set('hal', resolution('hal', red, { urlUsable: false }));
    const element = mount(source, { 'user-id': 'hal' });
    await until(() => image(element), 'the image');
    expect(image(element)!.getAttribute('src')).to.equal(red.url);
  });

  it('shows the stored Blob when the URL is still loading after SLOW_IMAGE_MS, and reports it as from IndexedDB', async () => {
    const source = new TestSource();
    // The dev server holds this request for 10 s, as a slow network would.
    const slow = { ...red, variants: [], url: `${location.origin}/__slow?ms=10000&for=ivy`, version: 'slow' };
    source.known.set('ivy', resolution('ivy', slow));
    source.blobs.set('slow', redPng);
    const element = mount(source, { 'user-id': 'ivy', label: 'Ivy' });
    const loaded = nextEvent<{ userId: string }>(element, 'picture-load');
    await element.updateComplete;
    expect(image(element)!.getAttribute('src')).to.equal(slow.url, 'the URL first');
    await sleep(SLOW_IMAGE_MS / 2); // proves a negative under a clock-based rule: not slow yet
    expect(source.acquired).to.deep.equal([], 'not slow yet: IndexedDB is not read');
    await until(() => image(element)?.getAttribute('src')?.startsWith('blob:'), 'the object URL', SLOW_IMAGE_MS * 3);
    await loaded;
    expect(image(element)!.naturalWidth).to.equal(32);
    expect(source.reports.at(-1)).to.include({ userId: 'ivy', source: 'indexedDB' });
  });

  it('keeps waiting for a slow URL when no Blob is stored, and never for one that loaded', async () => {
    const source = new TestSource();
    const slow = { ...red, variants: [], url: `${location.origin}/__slow?ms=10000&for=jon`, version: 'slow-none' };
    source.known.set('jon', resolution('jon', slow));
    source.known.set('kim', resolution('kim', red));
    source.blobs.set(red.version, redPng);
    const waiting = mount(source, { 'user-id': 'jon' });
    const fast = mount(source, { 'user-id': 'kim' });
    let failed = 0;
    waiting.addEventListener('picture-error', () => failed++);
    await nextEvent(fast, 'picture-load');
    await until(() => source.acquired.includes('slow-none'), 'the Blob to be looked for', SLOW_IMAGE_MS * 3);
    await sleep(SLOW_IMAGE_MS); // proves a negative: with no Blob found, it neither fails nor gives up the URL
    expect(image(waiting)!.getAttribute('src')).to.equal(slow.url, 'still the URL: nothing better to show');
    expect(failed).to.equal(0);
    expect(image(fast)!.getAttribute('src')).to.equal(red.url);
    expect(source.acquired).to.deep.equal(['slow-none'], 'the loaded picture never looked for its Blob');
  });

  it('renders no fallback under a picture the page has in memory, reports it once, and never takes it for slow', async () => {
    const source = new TestSource();
    source.known.set('lea', resolution('lea', red));
    source.blobs.set(red.version, redPng);
    const first = mount(source, { 'user-id': 'lea', label: 'Lea' });
    await nextEvent(first, 'picture-load');
    // A second tag for the same picture: the browser has it in memory, so the <img> is complete when rendered.
    const second = mount(source, { 'user-id': 'lea', label: 'Lea' });
    const loads: Event[] = [];
    second.addEventListener('picture-load', (event) => loads.push(event));
    await second.updateComplete;
    expect(image(second)!.complete).to.equal(true, 'in memory');
    expect(fallback(second)).to.equal(null, 'nothing under it: not even in the first render');
    await until(() => loads.length, 'its load event');
    await sleep(SLOW_IMAGE_MS * 1.5); // proves a negative: the slow timer, if it ran, would read the Blob
    expect(source.acquired).to.deep.equal([], 'never slow');
    expect(loads.length).to.equal(1);
    expect(fallback(second)).to.equal(null);
  });

  it('fires picture-load with the user, layer and time, and tells the source', async () => {
    const source = new TestSource();
    source.answers.set('ida', resolution('ida', blue, { layer: 'indexedDB' }));
    const element = mount(source, { 'user-id': 'ida', loading: 'eager' });
    const { detail } = await nextEvent<{ userId: string; layer: string; ms: number }>(element, 'picture-load');
    expect(detail.userId).to.equal('ida');
    expect(detail.layer).to.equal('indexedDB');
    expect(detail.ms).to.be.a('number').within(0, 5_000);
    expect(source.loadedCalls).to.have.length(1);
    expect(source.loadedCalls[0]!.resolution.meta!.url).to.equal(blue.url);
    expect(source.loadedCalls[0]!.ms).to.equal(detail.ms);
    expect(source.loadedCalls[0]!.url).to.equal(image(element)!.currentSrc, 'the copy it shows');
  });

  it('fires picture-error when the source fails', async () => {
    const source = new TestSource();
    source.answers.set('jon', new Error('offline'));
    const element = mount(source, { 'user-id': 'jon', label: 'Jon', loading: 'eager' });
    const { detail } = await nextEvent<{ userId: string; error: Error }>(element, 'picture-error');
    expect(detail.error.message).to.equal('offline');
    await element.updateComplete;
    expect(fallback(element)!.textContent!.trim()).to.equal('J');
  });

  it('lazy: asks nothing beyond peek while far below the viewport, and resolves within 200px of it', async () => {
    const source = new TestSource();
    source.answers.set('kim', resolution('kim', red));
    addSpacer();
    const element = mount(source, { 'user-id': 'kim', label: 'Kim' });
    expect(element.loading).to.equal('lazy', 'the default');
    await element.updateComplete;
    await frames(3);
    expect(source.asked).to.deep.equal([]);
    expect(image(element)).to.equal(null);
    // Still 100px below the bottom of the viewport: inside the margin.
    window.scrollTo(0, element.getBoundingClientRect().top + scrollY - innerHeight - 100);
    await until(() => source.asked.length, 'the lookup');
    await until(() => image(element), 'the image');
    expect(image(element)!.getAttribute('src')).to.equal(red.url);
  });

  it('lazy: a picture peek knows shows at once even below the viewport, without asking the store further', async () => {
    const source = new TestSource();
    source.known.set('lea', resolution('lea', red));
    addSpacer();
    const element = mount(source, { 'user-id': 'lea' });
    await element.updateComplete;
    expect(image(element)!.getAttribute('src')).to.equal(red.url);
    expect(source.asked).to.deep.equal([]);
  });

  it('lazy: asks at once when switched to eager while waiting', async () => {
    const source = new TestSource();
    addSpacer();
    const element = mount(source, { 'user-id': 'liv' });
    await element.updateComplete;
    await frames(2);
    expect(source.asked).to.deep.equal([]);
    element.loading = 'eager';
    await element.updateComplete;
    expect(source.asked).to.deep.equal(['liv']);
  });

  it('starts over when user-id changes, ignoring the answer for the old id', async () => {
    const source = new TestSource();
    source.answers.set('old', resolution('old', red));
    source.answers.set('new', resolution('new', blue));
    const releaseOld = source.hold('old');
    const element = mount(source, { 'user-id': 'old', loading: 'eager' });
    await element.updateComplete;
    expect(source.watching('old')).to.equal(1);
    element.setAttribute('user-id', 'new');
    await element.updateComplete;
    expect(element.userId).to.equal('new');
    await until(() => image(element), 'the new picture');
    releaseOld();
    await sleep(20); // proves a negative: the old answer, once in, is ignored (nothing to await for that)
    await element.updateComplete;
    expect(image(element)!.getAttribute('src')).to.equal(blue.url);
    expect(source.watching('old')).to.equal(0);
    expect(source.watching('new')).to.equal(1);
  });

  it('re-renders when the source reports a new picture for the user (watch)', async () => {
    const source = new TestSource();
    source.known.set('max', resolution('max', red));
    const element = mount(source, { 'user-id': 'max' });
    await element.updateComplete;
    expect(image(element)!.getAttribute('src')).to.equal(red.url);
    const reloaded = nextEvent<{ userId: string; layer: string }>(element, 'picture-load');
    source.emit(resolution('max', blue, { layer: 'network' }));
    await element.updateComplete;
    expect(image(element)!.getAttribute('src')).to.equal(blue.url);
    expect((await reloaded).detail.layer).to.equal('network');
  });

  it('shows the fallback when the source reports the picture removed', async () => {
    const source = new TestSource();
    source.known.set('ned', resolution('ned', red));
    const element = mount(source, { 'user-id': 'ned', label: 'Ned' });
    await element.updateComplete;
    source.emit(resolution('ned', null, { layer: 'network' }));
    await element.updateComplete;
    expect(image(element)).to.equal(null);
    expect(fallback(element)!.textContent!.trim()).to.equal('N');
  });

  it('releases its object URL and stops watching when disconnected', async () => {
    const source = new TestSource();
    source.known.set('ola', resolution('ola', red, { urlUsable: false }));
    source.blobs.set(red.version, redPng);
    const element = mount(source, { 'user-id': 'ola' });
    await until(() => image(element)?.getAttribute('src')?.startsWith('blob:'), 'the object URL');
    expect(source.watching('ola')).to.equal(1);
    expect(source.objectUrls).to.equal(1);
    element.remove();
    expect(source.released).to.deep.equal([red.version]);
    expect(source.objectUrls).to.equal(0);
    expect(source.watching('ola')).to.equal(0);
  });

  it('releases the object URL when a usable URL replaces it', async () => {
    const source = new TestSource();
    source.known.set('pia', resolution('pia', red, { urlUsable: false }));
    source.blobs.set(red.version, redPng);
    const element = mount(source, { 'user-id': 'pia' });
    await until(() => image(element)?.getAttribute('src')?.startsWith('blob:'), 'the object URL');
    source.emit(resolution('pia', red, { layer: 'network' }));
    await element.updateComplete;
    expect(image(element)!.getAttribute('src')).to.equal(red.url);
    expect(source.released).to.deep.equal([red.version]);
  });

  it('gives the image alt text from label, and an empty alt without one', async () => {
    const source = new TestSource();
    source.known.set('quin', resolution('quin', red));
    const labelled = mount(source, { 'user-id': 'quin', label: 'Quin Rowe' });
    const bare = mount(source, { 'user-id': 'quin' });
    await Promise.all([labelled.updateComplete, bare.updateComplete]);
    expect(image(labelled)!.getAttribute('alt')).to.equal('Quin Rowe');
    expect(image(bare)!.getAttribute('alt')).to.equal('');
  });

  it('is styled through its parts and custom properties', async () => {
    const source = new TestSource();
    source.known.set('ray', resolution('ray', red));
    const style = document.createElement('style');
    style.textContent = `.themed { --size: 30px; --radius: 3px; --fallback-color: rgb(1, 2, 3); --fallback-background: rgb(4, 5, 6); }
      .themed::part(fallback) { font-style: italic; }`;
    document.head.append(style);
    mounted.push(style);
    const plain = mount(source, { 'user-id': 'nobody-here', label: 'Ray' });
    const sized = mount(source, { 'user-id': 'ray', size: '64', shape: 'rounded' });
    const square = mount(source, { 'user-id': 'nobody-here', shape: 'square' });
    const themed = mount(source, { 'user-id': 'nobody-here', label: 'Ray', class: 'themed' });
    await Promise.all([plain, sized, square, themed].map((e) => e.updateComplete));
    const css = (el: Element | null) => getComputedStyle(el!);
    expect(css(fallback(plain)).width).to.equal('48px');
    expect(css(fallback(plain)).borderTopLeftRadius).to.equal('50%');
    const [background, ink] = colorsOf('nobody-here');
    expect([css(fallback(plain)).backgroundColor, css(fallback(plain)).color]).to.deep.equal(
      [computed(background), computed(ink)],
      "the user's colours",
    );
    expect(css(fallback(plain)).fontSize).to.equal('19.2px', '0.4 of the size');
    expect(plain.getBoundingClientRect().width).to.equal(48, 'the host takes the picture size');
    expect(css(image(sized)).width).to.equal('64px');
    expect(css(image(sized)).objectFit).to.equal('cover');
    expect(css(image(sized)).borderTopLeftRadius).to.equal('20%');
    expect(image(sized)!.getBoundingClientRect().height).to.equal(64, 'sized by its style alone, no width attribute');
    expect(css(fallback(square)).borderTopLeftRadius).to.equal('0px');
    expect(css(fallback(themed)).width).to.equal('30px');
    expect(css(fallback(themed)).borderTopLeftRadius).to.equal('3px');
    expect(css(fallback(themed)).color).to.equal('rgb(1, 2, 3)');
    expect(css(fallback(themed)).backgroundColor).to.equal('rgb(4, 5, 6)');
    expect(css(fallback(themed)).fontStyle).to.equal('italic');
    sized.shape = 'square';
    await sized.updateComplete;
    expect(sized.getAttribute('shape')).to.equal('square', 'shape reflects, so a property set styles too');
    expect(css(image(sized)).borderTopLeftRadius).to.equal('0px');
  });

  it('shows its light-DOM content until it upgrades, and not after', async () => {
    // The registration module defines the tag on import, before any test runs; a subclass under a tag defined
    // here stands in for a page whose script arrives after its HTML.
    const source = new TestSource();
    source.known.set('sam', resolution('sam', red));
    const element = mount(source, { 'user-id': 'sam', label: 'Sam' }, 'cpp-late-upgrade');
    const authored = document.createElement('img');
    authored.alt = 'Sam, as the CMS author placed it';
    authored.src = blue.url;
    element.append(authored);
    await authored.decode();
    expect(authored.checkVisibility()).to.equal(true);
    expect(authored.getBoundingClientRect().width).to.be.greaterThan(0);
    customElements.define('cpp-late-upgrade', class extends CachedProfilePicture {});
    expect(element).to.be.instanceOf(CachedProfilePicture);
    await element.updateComplete;
    expect(image(element)!.getAttribute('src')).to.equal(red.url);
    expect(authored.checkVisibility()).to.equal(false);
  });

  it('switches to a new source when the provider publishes one', async () => {
    const first = new TestSource();
    first.known.set('tom', resolution('tom', red));
    const element = mount(first, { 'user-id': 'tom' });
    await element.updateComplete;
    const second = new TestSource();
    second.known.set('tom', resolution('tom', blue));
    (element.parentElement as TestProvider).provider.setValue(second);
    await element.updateComplete;
    expect(image(element)!.getAttribute('src')).to.equal(blue.url);
    expect(first.watching('tom')).to.equal(0);
    expect(second.watching('tom')).to.equal(1);
  });
});

describe('<cached-profile-picture> at the size it is shown', () => {
  /** A 300-px upload: the service makes copies up to 256 px wide, and a preview. */
  let pic: PictureMeta;
  before(async () => {
    [pic] = await seed(users('sizes', 1), 0, 300);
  });

  /** The picture, for a request that goes nowhere for 10 s: a first sight on a slow network. */
  const slowly = (meta: PictureMeta, as: string): PictureMeta => ({
    ...meta,
    variants: [],
    url: `${location.origin}/__slow?ms=10000&for=${as}`,
  });
  const absolute = (url: string) => new URL(url, location.href).href;
  /** The preview's gradients, as the browser computed them for the stand-in; `'none'` without. */
  const previewOf = (element: Element) => getComputedStyle(fallback(element)!).backgroundImage;
  /** `rrggbb` as the browser writes a computed colour. */
  const rgb = (hex: string) => `rgb(${[0, 2, 4].map((at) => parseInt(hex.slice(at, at + 2), 16)).join(', ')})`;

  it('names every copy in srcset by its density at the size shown, so the browser fetches the one copy that fits', async () => {
    expect(pic.variants.length).to.be.above(1, 'copies to choose from');
    const source = new TestSource();
    source.known.set('ada', resolution('ada', pic));
    const before = (await requests()).length;
    const element = mount(source, { 'user-id': 'ada', size: '64' });
    await nextEvent(element, 'picture-load');
    const img = image(element)!;
    // The 64-px copy is 1x at size 64, and the 256-px copy 4x.
    expect(pic.variants.map((variant) => variant.width)).to.deep.equal([64, 96, 128, 256]);
    const at = (width: number) => pic.variants.find((variant) => variant.width === width)!.url;
    expect(img.getAttribute('srcset')).to.equal(`${at(64)} 1x,${at(96)} 1.5x,${at(128)} 2x,${at(256)} 4x`);
    const fits = pic.variants.find((variant) => variant.width >= 64 * devicePixelRatio)!;
    expect(img.currentSrc).to.equal(absolute(fits.url), 'the narrowest copy as wide as the image on this screen');
    const fetched = (await requests()).slice(before).filter((line) => line.includes(`/images/${pic.userId}/`));
    expect(fetched).to.deep.equal([`GET ${new URL(fits.url, location.href).pathname}`], 'that copy alone, once');
    expect(source.loadedCalls.map((call) => call.url)).to.deep.equal(
      [img.currentSrc],
      'the source is told which copy shows',
    );
    // At 24 px the 64-px copy is the one that fits, named 1x once; the wider ones stay named, so the browser may show
    // a copy it already holds rather than fetch another.
    const beforeSmall = (await requests()).length;
    const small = mount(source, { 'user-id': 'ada', size: '24' });
    await nextEvent(small, 'picture-load');
    expect(image(small)!.getAttribute('srcset')).to.equal(
      `${at(64)} 1x,${at(96)} 4x,${at(128)} 5.333x,${at(256)} 10.667x`,
    );
    const again = (await requests()).slice(beforeSmall).filter((line) => line.includes(`/images/${pic.userId}/`));
    expect(again).to.deep.equal([], 'shown from the copy the page holds');
  });

  it('shows metadata kept from before there were copies through url alone', async () => {
    const old: Partial<PictureMeta> = { ...pic };
    delete old.variants;
    delete old.preview;
    const source = new TestSource();
    source.known.set('ben', resolution('ben', old as PictureMeta));
    const element = mount(source, { 'user-id': 'ben' });
    await nextEvent(element, 'picture-load');
    expect(image(element)!.hasAttribute('srcset')).to.equal(false);
    expect(image(element)!.currentSrc).to.equal(absolute(pic.url));
  });

  it("shows the preview's colours, in the picture's shape, under a first sight that loads slowly; then the picture alone", async () => {
    expect(pic.preview).to.match(/^[0-9a-f]{18}$/);
    const source = new TestSource();
    source.known.set('bea', resolution('bea', slowly(pic, 'bea'), { layer: 'network' }));
    const element = mount(source, { 'user-id': 'bea', label: 'Bea Ray', size: '48', shape: 'rounded' });
    await until(() => visible(fallback(element)), 'the preview');
    const [top, middle, bottom] = [0, 6, 12].map((at) => rgb(pic.preview!.slice(at, at + 6)));
    expect(previewOf(element)).to.equal(`linear-gradient(${top}, ${middle}, ${bottom})`);
    expect(getComputedStyle(fallback(element)!).color).to.equal('rgba(0, 0, 0, 0)', 'no initials drawn over it');
    expect(getComputedStyle(fallback(element)!).borderTopLeftRadius).to.equal('20%', 'clipped to the shape');
    const rect = (el: Element) => JSON.stringify(el.getBoundingClientRect());
    expect(rect(fallback(element)!)).to.equal(rect(image(element)!), 'exactly where the picture will be');
    const box = image(element)!.getBoundingClientRect();
    expect(element.shadowRoot!.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2)).to.equal(
      image(element),
      'under the image, which covers it as it arrives',
    );
    expect(fallback(element)!.getAttribute('aria-hidden')).to.equal('true', 'the image names the user already');

    const loaded = nextEvent(element, 'picture-load');
    source.emit(resolution('bea', pic, { layer: 'network' }));
    await loaded;
    await element.updateComplete;
    expect(fallback(element)).to.equal(null, 'gone once the picture shows');
    expect(visible(image(element))).to.equal(true);
  });

  it('without a preview, shows the initials under a first sight until it loads, never an empty circle', async () => {
    const source = new TestSource();
    const bare = { ...pic, preview: undefined };
    source.known.set('cal', resolution('cal', slowly(bare, 'cal'), { layer: 'network' }));
    const element = mount(source, { 'user-id': 'cal', label: 'Cal Ames' });
    await until(() => visible(fallback(element)), 'the initials');
    expect(fallback(element)!.textContent!.trim()).to.equal('CA');
    expect(image(element)).not.to.equal(null, 'in place of the image that loads');
    const loaded = nextEvent(element, 'picture-load');
    source.emit(resolution('cal', bare, { layer: 'network' }));
    await loaded;
    await element.updateComplete;
    expect(fallback(element)).to.equal(null);
  });

  it('on a first sight, puts the image over the stand-in it showed while asking, never taking that away and back', async () => {
    const source = new TestSource();
    const release = source.hold('eve');
    source.answers.set('eve', resolution('eve', slowly(pic, 'eve'), { layer: 'network' }));
    const element = mount(source, { 'user-id': 'eve', label: 'Eve Ng' });
    await until(() => visible(fallback(element)), 'the initials while the source is asked');
    const standIn = fallback(element)!;
    const removed: Node[] = [];
    const observer = new MutationObserver((records) => {
      for (const record of records) removed.push(...record.removedNodes);
    });
    observer.observe(element.shadowRoot!, { childList: true });
    release();
    await until(() => image(element) && previewOf(element) !== 'none', 'the image, and the preview under it');
    await element.updateComplete;
    observer.disconnect();
    expect(fallback(element)).to.equal(standIn, 'the same stand-in, now holding the preview');
    expect(removed.length).to.equal(0, 'nothing taken away while the image loads');
  });

  it('takes as preview only three colours in hex, which it writes into a style; anything else gives the initials', async () => {
    const three = '00aa00'.repeat(3);
    const cases = {
      ok: three,
      css: `${three.slice(0, 12)});background:url(${location.origin}/__track)`,
      capitals: three.toUpperCase(),
      short: three.slice(6),
      image: 'data:image/webp;base64,UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA',
    };
    const source = new TestSource();
    const elements = Object.entries(cases).map(([name, preview]) => {
      source.known.set(
        `dan-${name}`,
        resolution(`dan-${name}`, slowly({ ...pic, preview }, `dan-${name}`), { layer: 'network' }),
      );
      return [name, mount(source, { 'user-id': `dan-${name}`, label: 'Dan Oz' })] as const;
    });
    await Promise.all(elements.map(([, element]) => until(() => visible(fallback(element)), 'the stand-in')));
    const shown = Object.fromEntries(
      elements.map(([name, element]) => [
        name,
        previewOf(element) === 'none'
          ? fallback(element)!.textContent!.trim()
          : previewOf(element).split('rgb(0, 170, 0)').length - 1,
      ]),
    );
    expect(shown).to.deep.equal({ ok: 3, css: 'DO', capitals: 'DO', short: 'DO', image: 'DO' });
    expect((await requests()).some((line) => line.includes('__track'))).to.equal(false, 'nothing fetched');
  });

  it('a picture the page knows never shows a stand-in, even for a frame; one still loading a moment later does', async () => {
    const source = new TestSource();
    source.known.set('eli', resolution('eli', pic));
    await nextEvent(mount(source, { 'user-id': 'eli' }), 'picture-load');
    // Ten more of the same picture, as a list re-rendered: the page has it decoded.
    const more = Array.from({ length: 10 }, () => mount(source, { 'user-id': 'eli', label: 'Eli Fox' }));
    const loads = Promise.all(more.map((element) => nextEvent(element, 'picture-load')));
    let seen = 0;
    let done = false;
    void loads.then(() => (done = true));
    while (!done) {
      seen += more.filter((element) => visible(fallback(element))).length;
      await frames(1);
    }
    expect(seen).to.equal(0);

    source.known.set('fay', resolution('fay', slowly(pic, 'fay'), { layer: 'localStorage' }));
    const slow = mount(source, { 'user-id': 'fay', label: 'Fay Gil' });
    await slow.updateComplete;
    expect(visible(fallback(slow)), 'not at once').to.equal(false);
    await until(() => visible(fallback(slow)) && previewOf(slow) !== 'none', 'the preview, once it is slow', 1_000);
  });
});

describe('ProfilePictureController', () => {
  let meta: PictureMeta;
  before(async () => {
    [meta] = await seed(users('controller', 1));
  });

  /** Any Lit element: the controller consumes the context itself. */
  class Avatar extends LitElement {
    userId = '';
    readonly picture = new ProfilePictureController(this, () => this.userId);
    protected override render() {
      return html`${this.picture.url ?? (this.picture.loading ? 'loading' : 'none')}`;
    }
  }
  customElements.define('cpp-test-avatar', Avatar);

  it('gives any Lit element url, loading, resolution and refetch()', async () => {
    const source = new TestSource();
    source.answers.set('uma', resolution('uma', meta, { layer: 'network' }));
    const release = source.hold('uma');
    const provider = document.createElement('cpp-test-provider') as TestProvider;
    provider.provider.setValue(source);
    const avatar = document.createElement('cpp-test-avatar') as Avatar;
    avatar.userId = 'uma';
    provider.append(avatar);
    document.body.append(provider);
    mounted.push(provider);
    await avatar.updateComplete;
    expect(avatar.picture.loading).to.equal(true);
    expect(avatar.shadowRoot!.textContent).to.equal('loading');
    release();
    await until(() => avatar.picture.url, 'the url');
    await avatar.updateComplete;
    expect(avatar.picture.url).to.equal(meta.url);
    expect(avatar.picture.resolution?.layer).to.equal('network');
    expect(avatar.shadowRoot!.textContent).to.equal(meta.url);
    await avatar.picture.refetch();
    expect(source.asked).to.deep.equal(['uma', 'uma']);
    expect(avatar.picture.error).to.equal(undefined);
  });

  it('initials and colours', () => {
    expect(initialsOf('Ada Lovelace')).to.equal('AL');
    expect(initialsOf('ada')).to.equal('A');
    expect(initialsOf('  ')).to.equal('');
    expect(initialsOf('émile zola')).to.equal('ÉZ');
    expect(colorsOf('ada')).to.deep.equal(colorsOf('ada'));
    expect(colorsOf('user1')[0]).not.to.equal(colorsOf('user2')[0]);
  });
});

// The element on the real store (no provider: `defaultSource(apiBase)`), counting what reached the service.
describe('<cached-profile-picture> on the page store', () => {
  /** Requests that reached the service and name one of `ids`. */
  const requestsFor = async (ids: string[]) => (await requests()).filter((line) => ids.some((id) => line.includes(id)));

  it('first sight: one batched lookup for many tags; then a new tag for a seen user renders at once with no request', async () => {
    const ids = users('page', 5);
    const metas = await seed(ids);
    const before = (await requestsFor(ids)).length;
    const elements = ids.map((id) => mount(undefined, { 'user-id': id, label: `User ${id}`, loading: 'eager' }));
    const loads = elements.map((element) => nextEvent<{ userId: string; layer: string }>(element, 'picture-load'));
    const details = (await Promise.all(loads)).map((event) => event.detail);
    expect(details.map((d) => d.layer)).to.deep.equal(ids.map(() => 'network'));
    // The store keeps URLs absolute, against the service that named them.
    const urls = metas.map((meta) => new URL(meta.url, location.href).href);
    for (const [i, element] of elements.entries()) expect(image(element)!.getAttribute('src')).to.equal(urls[i]);
    const lookups = (await requestsFor(ids)).slice(before).filter((line) => line.startsWith('GET /api/pictures'));
    expect(lookups).to.have.length(1, 'five tags in one task cost one metadata request');

    const seen = (await requestsFor(ids)).length;
    const again = mount(undefined, { 'user-id': ids[2]! });
    await again.updateComplete;
    expect(image(again)!.getAttribute('src')).to.equal(urls[2], 'in the first update');
    await nextEvent(again, 'picture-load');
    expect((await requestsFor(ids)).length).to.equal(seen, 'no request at all');
  });

  it('keeps the copy it shows as the stored Blob, not the default copy', async () => {
    const [id] = users('page-kept', 1);
    const [meta] = await seed([id!], 0, 300);
    const element = mount(undefined, { 'user-id': id!, size: '64', loading: 'eager' });
    await nextEvent(element, 'picture-load');
    const shown = meta!.variants.find(
      (variant) => new URL(variant.url, location.href).href === image(element)!.currentSrc,
    )!;
    expect(shown.url).not.to.equal(meta!.url, 'a copy other than the default shows');
    const store = defaultSource('/api');
    await store.keepBytesNow();
    const kept = store.peek(id!)!.meta!;
    const blobUrl = await store.acquireBlobUrl(kept);
    try {
      expect((await (await fetch(blobUrl!)).blob()).size).to.equal(shown.bytes);
    } finally {
      store.releaseBlobUrl(kept);
    }
  });

  it('a user with no picture gets the fallback, and no picture-error', async () => {
    const [id] = users('page-none', 1);
    let errors = 0;
    const element = mount(undefined, { 'user-id': id!, label: 'No Body', loading: 'eager' });
    element.addEventListener('picture-error', () => errors++);
    await until(() => (element as unknown as { picture: ProfilePictureController }).picture.resolution, 'the answer');
    await element.updateComplete;
    expect(fallback(element)!.textContent!.trim()).to.equal('NB');
    expect(errors).to.equal(0);
  });
});
