import type { PictureChangedEvent } from '../../contract/picture.ts';
import type { WorkerRequest } from '../../sw/messages.ts';

/** What one store tells everything else that keeps pictures, and hears from it: forget one user, or everyone. */
export type Invalidation = { type: 'invalidate'; userId: string } | { type: 'clear' };

/** The stores of every tab of the origin meet on this channel. */
const CHANNEL = 'cached-profile-pictures';

export interface InvalidationOptions {
  /** Tell the other tabs of this origin, and hear them (default true where BroadcastChannel exists). */
  broadcast?: boolean;
  /** Listen to `{apiBase}/events`, so an upload anywhere reaches this page (default false). */
  events?: boolean;
}

/**
 * Carries invalidations between a store and everything else that keeps pictures: the other tabs of the origin
 * (BroadcastChannel), the image service's event stream (an upload anywhere), and the page's service worker (told,
 * never heard: it has no invalidations of its own). `apply` receives what the others invalidated; the events are
 * those of the image service at `apiBase`; `closed` stops the listening.
 *
 * @returns `tell`: sends this store's invalidation to the other tabs and the service worker (the caller applies it
 *   here).
 *
 * @example
 * const tell = connectInvalidations('/api', { events: true }, console.log, closed.signal, forget);
 * tell({ type: 'invalidate', userId: 'ada' });
 */
export function connectInvalidations(
  apiBase: string,
  options: InvalidationOptions,
  log: (message: string) => void,
  closed: AbortSignal,
  apply: (invalidation: Invalidation | undefined) => void,
): (invalidation: Invalidation) => void {
  let channel: BroadcastChannel | undefined;
  let events: EventSource | undefined;
  if ((options.broadcast ?? true) && typeof BroadcastChannel === 'function') {
    channel = new BroadcastChannel(CHANNEL);
    // Another script of the origin may post anything: the store applies only what it knows.
    channel.onmessage = ({ data }: MessageEvent<Invalidation | undefined>) => apply(data);
  }
  if (options.events && typeof EventSource === 'function') {
    events = new EventSource(`${apiBase}/events`);
    events.addEventListener('picture-changed', (event) => {
      let changed: PictureChangedEvent | undefined;
      try {
        changed = JSON.parse((event as MessageEvent<string>).data) as PictureChangedEvent;
      } catch {
        return log('[ImageCache] ignored a malformed picture-changed event');
      }
      if (typeof changed?.userId === 'string') apply({ type: 'invalidate', userId: changed.userId });
    });
  }
  closed.addEventListener('abort', () => {
    channel?.close();
    events?.close();
  });
  return (invalidation) => {
    channel?.postMessage(invalidation);
    // Nothing waits for the worker: a version is a content hash, so what it still serves meanwhile is never the
    // wrong picture.
    globalThis.navigator?.serviceWorker?.controller?.postMessage(invalidation satisfies WorkerRequest);
  };
}
