// The fallback's initials are readable for every user: over the 360 hues a user id can get, the colours Chromium
// renders for the initials and their background reach WCAG's 4.5:1, the threshold for text of any size, so they pass
// at every size the element takes. With no custom property set, those are the user's colours; set, the page's.
import { expect } from '@esm-bundle/chai';
import './cached-profile-picture.ts';
import { colorsOf } from './fallback.ts';
import { mount, mounted, resolution, TestSource } from './testing/test-source.ts';
import { until } from '../../scripts/testing/wait.ts';

/** A user id for each of the 360 colours `colorsOf` gives, found by trying ids in turn. */
function idPerHue(): string[] {
  const byColour = new Map<string, string>();
  for (let i = 0; byColour.size < 360; i++) byColour.set(colorsOf(`user-${i}`)[0], `user-${i}`);
  return [...byColour.values()];
}

const canvas = new OffscreenCanvas(1, 1).getContext('2d', { willReadFrequently: true })!;

/** A CSS colour as the 8-bit sRGB pixel Chromium paints for it. */
function painted(colour: string): [number, number, number] {
  canvas.clearRect(0, 0, 1, 1);
  canvas.fillStyle = colour;
  canvas.fillRect(0, 0, 1, 1);
  const [r, g, b] = canvas.getImageData(0, 0, 1, 1).data;
  return [r!, g!, b!];
}

/** WCAG 2 relative luminance of an sRGB pixel. */
function luminance(rgb: [number, number, number]): number {
  const [r, g, b] = rgb.map((c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** WCAG 2 contrast ratio of two CSS colours, as painted. */
function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(painted(a)), luminance(painted(b))].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

const fallback = (element: Element) => element.shadowRoot!.querySelector<HTMLElement>('[part~="fallback"]')!;

/** The fallback of a picture-less element for each id, once it shows. */
async function initials(ids: string[], attributes: Record<string, string> = {}): Promise<HTMLElement[]> {
  const source = new TestSource();
  for (const id of ids) source.known.set(id, resolution(id, null));
  const elements = ids.map((id) => mount(source, { 'user-id': id, label: 'Ada Lovelace', ...attributes }));
  await until(
    () => elements.every((element) => fallback(element)?.checkVisibility({ visibilityProperty: true })),
    'the initials',
    5_000,
  );
  return elements.map(fallback);
}

describe("<cached-profile-picture> initials' contrast", () => {
  afterEach(() => {
    for (const element of mounted.splice(0)) element.remove();
  });

  it("reaches 4.5:1 on all 360 hues, with the colours of the user's id", async () => {
    const ids = idPerHue();
    const shown = await initials(ids, { size: '24' });
    const ratios = shown.map((part, i) => {
      const style = getComputedStyle(part);
      expect([painted(style.backgroundColor), painted(style.color)], ids[i]).to.deep.equal(
        colorsOf(ids[i]!).map(painted),
      );
      return contrast(style.color, style.backgroundColor);
    });
    const least = Math.min(...ratios);
    expect(least, `the least contrast, ${least.toFixed(2)}:1, on ${ids[ratios.indexOf(least)]}`).to.be.at.least(4.5);
  });

  it('takes --fallback-color and --fallback-background when the page sets them, on the host', async () => {
    const style = document.createElement('style');
    style.textContent =
      '.themed { --fallback-color: rgb(10, 20, 30); --fallback-background: rgb(250, 240, 230); } .around { --fallback-color: red; }';
    document.head.append(style);
    mounted.push(style);
    const [themed] = await initials(['user-1'], { class: 'themed' });
    expect([getComputedStyle(themed!).color, getComputedStyle(themed!).backgroundColor]).to.deep.equal([
      'rgb(10, 20, 30)',
      'rgb(250, 240, 230)',
    ]);

    // Not from an ancestor: a name the page uses for something else does not reach the picture.
    const [plain] = await initials(['user-1']);
    (plain!.getRootNode() as ShadowRoot).host.parentElement!.className = 'around';
    expect(painted(getComputedStyle(plain!).color)).to.deep.equal(painted(colorsOf('user-1')[1]));
  });
});
