import { html, type TemplateResult } from 'lit';

/**
 * The initials of a name: the first letters of its first and last words, uppercase; `''` for no name.
 *
 * @example initialsOf('Ada King Lovelace') // 'AL'
 */
export function initialsOf(label: string | null | undefined): string {
  const words = (label ?? '').trim().split(/\s+/u).filter(Boolean);
  if (!words.length) return '';
  // Array.from splits by code point, so a name starting with an astral character keeps it whole.
  const first = Array.from(words[0]!)[0]!;
  const last = words.length > 1 ? Array.from(words[words.length - 1]!)[0]! : '';
  return (first + last).toLocaleUpperCase();
}

/**
 * A user's colours, `[background, initials]`: the same id always gets the same hue, so a face's placeholder is
 * recognisable across pages. They are CIE LCH, whose lightness alone sets the luminance, so the initials' contrast is
 * the same for every hue: white on a deep tone (lightness 42), or, from orange to green (hues 60 to 139), where a tone
 * that deep turns olive, a dark shade of the hue on a light tint (30 on 88). Either is 5.5:1 or more: WCAG AA asks
 * 4.5:1 of text at any size.
 */
export function colorsOf(userId: string): [background: string, initials: string] {
  // FNV-1a: a few lines, and it spreads short similar ids (user1, user2) across the hue circle.
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  const hue = (hash >>> 0) % 360;
  return hue < 60 || hue > 139 ? [`lch(42 40 ${hue})`, '#fff'] : [`lch(88 40 ${hue})`, `lch(30 40 ${hue})`];
}

/**
 * The CSS background image that draws a preview (three colours, top to bottom, as `isPreview` checks them): one
 * gradient through them. No image to fetch or decode: on a cold page of 50 phone photos, previews drawn this way cost
 * what no preview costs, where 16-px WebP previews cost the main thread tens of milliseconds (docs/benchmarks.md).
 *
 * @example previewBackground('5a4a3ad9b59a2f4f7f') // 'linear-gradient(#5a4a3a,#d9b59a,#2f4f7f)'
 */
export function previewBackground(preview: string): string {
  return `linear-gradient(${preview.replace(/.{6}/g, ',#$&').slice(1)})`;
}

/** A head and shoulders, drawn in `currentColor`, for a picture with no name to take initials from. */
export const silhouette: TemplateResult = html`<svg viewBox="0 0 24 24" aria-hidden="true"
  ><circle cx="12" cy="9" r="4.5"></circle><path d="M3 22.5c0-4.7 4-7.5 9-7.5s9 2.8 9 7.5z"></path></svg>`;
