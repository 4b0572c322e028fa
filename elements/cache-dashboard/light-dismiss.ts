import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** An element with a toggle and a panel it opens: `<cache-dashboard>`. */
export interface Dismissable extends ReactiveControllerHost, HTMLElement {
  open: boolean;
}

/**
 * Closes the host's panel as a popover closes (`popover="auto"`), and when the focus leaves it too: on Escape, from
 * the toggle or inside the panel (which gives the focus back to the toggle); on a press outside the host; and when
 * the focus moves outside it, by Tab or otherwise, so the open panel never covers what has the focus (WCAG 2.4.11).
 * The Popover API would put the panel in the top layer, away from its corner beside the toggle, and keeps a popover
 * open when the focus leaves it.
 *
 * While closed, it listens to nothing on the document.
 */
export class LightDismiss implements ReactiveController {
  readonly #host: Dismissable;
  readonly #toggle: () => HTMLElement | null | undefined;
  #listening = false;

  /** `toggle` answers the button that opens and closes the panel. */
  constructor(host: Dismissable, toggle: () => HTMLElement | null | undefined) {
    this.#host = host;
    this.#toggle = toggle;
    host.addEventListener('keydown', this.#onKey);
    host.addController(this);
  }

  hostUpdated(): void {
    this.#listen(this.#host.open && this.#host.isConnected);
  }

  hostDisconnected(): void {
    this.#listen(false);
  }

  #listen(on: boolean): void {
    if (on === this.#listening) return;
    this.#listening = on;
    // Capture: a page that stops these events from bubbling still closes the panel.
    for (const type of ['focusin', 'pointerdown'] as const) {
      if (on) document.addEventListener(type, this.#onOutside, true);
      else document.removeEventListener(type, this.#onOutside, true);
    }
  }

  readonly #onKey = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || !this.#host.open) return;
    this.#host.open = false;
    this.#toggle()?.focus();
  };

  readonly #onOutside = (event: Event): void => {
    if (!event.composedPath().includes(this.#host)) this.#host.open = false;
  };
}
