import type { Person } from './people.ts';

/** Attributes of `<cached-profile-picture>` beyond the person's id and name. */
export interface TagOptions {
  size: number;
  shape?: 'circle' | 'rounded' | 'square';
  /** Unset: the person's name, as `label`; `''` for a tag without one (the fallback is then a silhouette). */
  label?: string;
}

/** A `<cached-profile-picture>` for `person`, as a page would write it. */
export function pictureTag(person: Pick<Person, 'id' | 'name'>, { size, shape, label = person.name }: TagOptions): HTMLElement {
  const tag = document.createElement('cached-profile-picture');
  tag.setAttribute('user-id', person.id);
  if (label) tag.setAttribute('label', label);
  tag.setAttribute('size', String(size));
  if (shape) tag.setAttribute('shape', shape);
  return tag;
}
