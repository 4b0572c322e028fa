/**
 * How far outside the viewport an element starts loading: enough for a picture to be there by the time a normal
 * scroll brings it in, small enough that a long list asks only for what is about to be seen.
 */
const MARGIN = '200px';

const waiting = new Map<Element, () => void>();
let observer: IntersectionObserver | undefined;

/**
 * Calls `callback` once, when `element` comes within {@link MARGIN} of the viewport. All elements share one
 * observer: one per element costs a registration and a callback task each, for a list of hundreds.
 *
 * @returns a function that cancels the wait (on disconnect, or when the element no longer needs to wait).
 */
export function whenNearViewport(element: Element, callback: () => void): () => void {
  if (typeof IntersectionObserver !== 'function') {
    // No observer (an old engine, a test DOM): loading now is better than never loading.
    callback();
    return () => {};
  }
  // `scrollMargin` (Chromium 120+) lets the margin apply inside scrolling containers too; others ignore it.
  observer ??= new IntersectionObserver(onEntries, {
    rootMargin: MARGIN,
    scrollMargin: MARGIN,
  } as IntersectionObserverInit);
  waiting.set(element, callback);
  observer.observe(element);
  return () => {
    if (waiting.delete(element)) observer?.unobserve(element);
  };
}

function onEntries(entries: IntersectionObserverEntry[]): void {
  for (const entry of entries) {
    if (!entry.isIntersecting) continue;
    const callback = waiting.get(entry.target);
    if (!callback) continue;
    waiting.delete(entry.target);
    observer?.unobserve(entry.target);
    callback();
  }
}
