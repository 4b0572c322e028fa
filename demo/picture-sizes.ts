import type { PictureMeta, PictureVariant } from '../contract/picture.ts';
import { pictureFiles, shownFile } from './picture-files.ts';
import { DEMO_USER, PEOPLE, type Person } from './people.ts';

/** How long the files wait for the tags to load theirs. */
const TAGS_WAIT_MS = 5_000;

/**
 * The pictures page's sizes: the chosen person's tag at every size (in the page's HTML), each captioned with the one
 * file the browser chose for it, then every file the service's lookup lists, each at its own size. The files come
 * once the tags have loaded: Chromium takes a larger file it already holds rather than fetch a smaller one, so files
 * shown first would decide what the tags show.
 */
export function showSizes(root: ParentNode): void {
  const select = root.querySelector<HTMLSelectElement>('[data-person]')!;
  const files = root.querySelector<HTMLElement>('[data-files]')!;
  const note = root.querySelector<HTMLElement>('[data-files-note]')!;
  root.querySelector('[data-dpr]')!.textContent = `${Number(devicePixelRatio.toFixed(2))}×`;

  const tags = [...root.querySelectorAll<HTMLElement>('[data-sizes] cached-profile-picture')];
  const captions = tags.map((tag) => tag.parentElement!.querySelector('small')!);
  let variants: PictureVariant[] = [];
  const showChosen = () => {
    for (const [i, tag] of tags.entries()) captions[i]!.textContent = shownFile(tag, variants);
  };
  // Every image a tag loads (load events stay in the shadow root, which the tags have once the bundle, after this
  // script, has defined them).
  void customElements.whenDefined('cached-profile-picture').then(() => {
    for (const tag of tags) tag.shadowRoot?.addEventListener('load', showChosen, true);
  });

  const choose = async (person: Person) => {
    const tagsLoaded = Promise.race([
      Promise.all(tags.map(settled)),
      new Promise((resolve) => setTimeout(resolve, TAGS_WAIT_MS)),
    ]);
    for (const tag of tags) {
      tag.setAttribute('user-id', person.id);
      tag.setAttribute('label', person.name);
    }
    files.replaceChildren();
    note.textContent = '';
    let meta: PictureMeta | undefined;
    try {
      meta = await lookUp(person);
    } catch (error) {
      note.textContent = (error as Error).message;
    }
    // A person chosen since has the section.
    const current = () => select.value === person.id;
    if (!current()) return;
    variants = meta?.variants ?? [];
    showChosen();
    if (!meta) return;
    await tagsLoaded;
    if (current()) files.replaceChildren(...pictureFiles(meta, person.name));
  };
  // A reload may keep the person chosen before.
  const chosen = () => PEOPLE.find((person) => person.id === select.value) ?? DEMO_USER;
  select.addEventListener('change', () => void choose(chosen()));
  void choose(chosen());
}

/** Resolves once `tag` shows its picture, or its fallback because that failed. */
function settled(tag: HTMLElement): Promise<void> {
  return new Promise((resolve) => {
    for (const type of ['picture-load', 'picture-error']) tag.addEventListener(type, () => resolve(), { once: true });
  });
}

/** The service's lookup for `person`, or why there is none, in words for the page. */
async function lookUp(person: Person): Promise<PictureMeta> {
  let answer: Response;
  try {
    answer = await fetch(`/api/pictures/${encodeURIComponent(person.id)}`);
  } catch {
    throw new Error('The service cannot be reached (are you offline?), so its files cannot be listed.');
  }
  if (answer.status === 404) throw new Error(`${person.name} has no picture yet.`);
  if (!answer.ok) throw new Error(`The service answered ${answer.status} ${answer.statusText}.`);
  return (await answer.json()) as PictureMeta;
}
