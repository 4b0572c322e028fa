import { escapeHtml, pictureTag } from './picture-tag.ts';
import { DEMO_USER, FRIENDS, NEWCOMERS } from './people.ts';
import { sample } from './sample.ts';

/** The sizes the pictures page shows the chosen person's picture at. */
const SIZES = [24, 32, 40, 48, 64, 96, 128];
const SHAPES = ['circle', 'rounded', 'square'] as const;

/**
 * What the pages show of the demo's people, written into their HTML when the demo is built (`build-pages.mjs`), as
 * a site's server would: every picture is a tag in the page before any script runs, so the size rule in `demo.css`
 * holds its place and nothing moves when the scripts come. A page names a part as `{{name}}` or `{{name arguments}}`.
 */
export const PAGE_PARTS: Record<string, (...args: string[]) => string> = {
  /** The demo user's picture: `{{me 40 rounded}}`; `{{me 32 decorative}}` beside their name. */
  me: (size, option) =>
    pictureTag(DEMO_USER, {
      size: Number(size),
      shape: option === 'rounded' ? option : undefined,
      decorative: option === 'decorative',
    }),
  meName: () => escapeHtml(DEMO_USER.name),
  meFirstName: () => escapeHtml(DEMO_USER.name.split(' ')[0]!),
  meTitle: () => escapeHtml(DEMO_USER.title),

  friends: () =>
    FRIENDS.map(
      (friend) =>
        `<li class="friend">${pictureTag(friend, { size: 48, decorative: true })}<div><strong>${escapeHtml(friend.name)}</strong><span>${escapeHtml(friend.title)}</span></div></li>`,
    ).join('\n'),

  /** Whose picture the pictures page's sizes can show: the demo user first (the profile page uploads theirs). */
  people: () =>
    [DEMO_USER, ...FRIENDS]
      .map(
        (person) =>
          `<option value="${escapeHtml(person.id)}">${escapeHtml(person === DEMO_USER ? `${person.name} (you)` : person.name)}</option>`,
      )
      .join(''),
  /** Each size with an empty caption, where `picture-sizes.ts` names the file the browser chose. */
  sizes: () => SIZES.map((size) => sample(`${size} px`, pictureTag(DEMO_USER, { size }), '<small></small>')).join('\n'),
  shapes: () =>
    [
      ...SHAPES.map((shape, i) => sample(shape, pictureTag(FRIENDS[i]!, { size: 88, shape }))),
      sample(
        'a stack of five',
        `<div class="stack">${FRIENDS.slice(3, 8)
          .map((friend) => pictureTag(friend, { size: 44 }))
          .join('')}</div>`,
      ),
    ].join('\n'),
  fallbacks: () =>
    [
      ...NEWCOMERS.map((newcomer) => sample(newcomer.name, pictureTag(newcomer, { size: 64 }))),
      sample('no name given', pictureTag(NEWCOMERS[0]!, { size: 64, label: '' })),
      sample('rounded, 40 px', pictureTag(NEWCOMERS[1]!, { size: 40, shape: 'rounded' })),
    ].join('\n'),
};
