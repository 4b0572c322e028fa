import type { PictureMeta, PictureVariant } from '../contract/picture.ts';
import { previewBackground } from '../elements/cached-profile-picture/fallback.ts';
import { bytes } from '../elements/monitor/format.ts';
import { isPreview } from '../elements/store/trusted.ts';

/**
 * The files the service made of one picture, narrowest first after the preview the lookup carries (three colours,
 * drawn as the element draws them while the picture loads), each at its natural size: a plain `<img src>` with no
 * `srcset`, so what shows is that file, not one picture scaled. Each caption gives the file's width and weight and
 * links to it.
 */
export function pictureFiles(meta: PictureMeta, name: string): HTMLElement[] {
  const files = meta.variants.map((variant) => {
    const img = Object.assign(document.createElement('img'), {
      src: variant.url,
      alt: `${name}, ${variant.width} px`,
      width: variant.width,
      height: variant.width,
    });
    const link = Object.assign(document.createElement('a'), {
      href: variant.url,
      textContent: `${variant.width} px · ${bytes(variant.bytes)}`,
    });
    return file(img, link);
  });
  if (isPreview(meta.preview)) {
    const swatch = Object.assign(document.createElement('div'), { className: 'preview' });
    swatch.setAttribute('role', 'img');
    swatch.setAttribute('aria-label', `${name}, preview`);
    swatch.style.backgroundImage = previewBackground(meta.preview);
    files.unshift(file(swatch, `preview · ${bytes(meta.preview.length / 2)} of colour, in the lookup`));
  }
  return files;
}

/**
 * Which of `variants` a `<cached-profile-picture>` shows, in words: the one file the browser chose from its
 * `srcset`, or the copy its store kept on this device (a `blob:` URL); `''` until its image has loaded. A file wider
 * than the narrowest that covers the tag's `size` at this pixel ratio is one the page had loaded already: Chromium
 * takes it rather than fetch the smaller one.
 */
export function shownFile(element: Element, variants: readonly PictureVariant[]): string {
  const img = element.shadowRoot?.querySelector<HTMLImageElement>('img[part="image"]');
  if (!img?.complete || !img.currentSrc) return '';
  if (img.currentSrc.startsWith('blob:')) return 'the copy kept on this device';
  const shown = variants.find((variant) => new URL(variant.url, location.href).href === img.currentSrc);
  if (!shown) return '';
  const needed = Number(element.getAttribute('size')) * devicePixelRatio;
  const covering = variants.find((variant) => variant.width >= needed) ?? variants.at(-1)!;
  return shown.width > covering.width ? `the ${shown.width} px file, already loaded` : `the ${shown.width} px file`;
}

function file(img: HTMLElement, caption: Node | string): HTMLElement {
  const figure = document.createElement('figure');
  figure.className = 'file';
  const figcaption = document.createElement('figcaption');
  figcaption.append(caption);
  figure.append(img, figcaption);
  return figure;
}
