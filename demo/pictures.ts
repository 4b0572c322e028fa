import { showSizes } from './picture-sizes.ts';
import { pictureTag } from './picture-tag.ts';
import { FRIENDS, NEWCOMERS } from './people.ts';
import { sample } from './sample.ts';

const SHAPES = ['circle', 'rounded', 'square'] as const;

/**
 * The pictures page: a person's picture at every size with the file behind each, shapes, fallbacks, and the snippets
 * with this service's address in them.
 */
export function showPictures(root: ParentNode): void {
  showSizes(root);

  const stack = document.createElement('div');
  stack.className = 'stack';
  stack.append(...FRIENDS.slice(3, 8).map((friend) => pictureTag(friend, { size: 44 })));
  root.querySelector('[data-shapes]')!.append(
    ...SHAPES.map((shape, i) => sample(shape, pictureTag(FRIENDS[i]!, { size: 88, shape }))),
    sample('a stack of five', stack),
  );

  root.querySelector('[data-fallbacks]')!.append(
    ...NEWCOMERS.map((newcomer) => sample(newcomer.name, pictureTag(newcomer, { size: 64 }))),
    sample('no name given', pictureTag(NEWCOMERS[0]!, { size: 64, label: '' })),
    sample('rounded, 40 px', pictureTag(NEWCOMERS[1]!, { size: 40, shape: 'rounded' })),
  );

  for (const code of root.querySelectorAll('[data-snippet]')) code.textContent = code.textContent!.replaceAll('{origin}', location.origin);
  setUpTabs(root);
  setUpCopyButtons(root);
}

/** The snippet tabs, keyboard included (arrow keys move between tabs, as WAI-ARIA's tabs pattern has it). */
function setUpTabs(root: ParentNode): void {
  const tabs = [...root.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
  const select = (tab: HTMLButtonElement) => {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute('aria-selected', String(selected));
      other.tabIndex = selected ? 0 : -1;
      root.querySelector<HTMLElement>(`#${other.getAttribute('aria-controls')}`)!.hidden = !selected;
    }
  };
  for (const [i, tab] of tabs.entries()) {
    tab.addEventListener('click', () => select(tab));
    tab.addEventListener('keydown', (event) => {
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (!step) return;
      const next = tabs[(i + step + tabs.length) % tabs.length]!;
      select(next);
      next.focus();
    });
  }
}

function setUpCopyButtons(root: ParentNode): void {
  for (const pre of root.querySelectorAll('.snippet pre')) {
    const button = Object.assign(document.createElement('button'), { type: 'button', className: 'copy', textContent: 'Copy' });
    button.addEventListener('click', async () => {
      await navigator.clipboard.writeText(pre.textContent ?? '');
      button.textContent = 'Copied';
      setTimeout(() => (button.textContent = 'Copy'), 1500);
    });
    pre.parentElement!.append(button);
  }
}
