import type { Person } from './people.ts';

/** Attributes of `<cached-profile-picture>` beyond the person's id and name. */
export interface TagOptions {
  size: number;
  shape?: 'circle' | 'rounded' | 'square';
  /** Unset: the person's name, as `label`; `''` for a tag without one (the fallback is then a silhouette). */
  label?: string;
  /** The name is written next to it: the picture names no one, so a screen reader reads the name once. */
  decorative?: boolean;
}

/** A `<cached-profile-picture>` for `person`, as a page would write it in its HTML. */
export function pictureTag(
  person: Pick<Person, 'id' | 'name'>,
  { size, shape, label = person.name, decorative }: TagOptions,
): string {
  const attributes = [
    ['user-id', person.id],
    ['label', label],
    ['size', String(size)],
    ['shape', shape],
  ]
    .filter(([, value]) => value)
    .map(([name, value]) => ` ${name}="${escapeHtml(value!)}"`);
  return `<cached-profile-picture${attributes.join('')}${decorative ? ' decorative' : ''}></cached-profile-picture>`;
}

/** `text` safe in HTML, as an element's content or an attribute's quoted value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
