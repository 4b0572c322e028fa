import { showSizes } from './picture-sizes.ts';

/** The pictures page: the chosen person's sizes and files, and the snippets with this service's address in them. */
export function showPictures(root: ParentNode): void {
  showSizes(root);
  for (const code of root.querySelectorAll('[data-snippet]'))
    code.textContent = code.textContent!.replaceAll('{origin}', location.origin);
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
    const button = Object.assign(document.createElement('button'), {
      type: 'button',
      className: 'copy',
      textContent: 'Copy',
    });
    button.addEventListener('click', async () => {
      await navigator.clipboard.writeText(pre.textContent ?? '');
      button.textContent = 'Copied';
      setTimeout(() => (button.textContent = 'Copy'), 1500);
    });
    pre.parentElement!.append(button);
  }
}
