// Browser-test helpers for the service worker: the test page is served at /, so a worker registered from its source
// with scope / controls it (see web-test-runner.config.mjs and RECIPES.md).
import { until } from '../../scripts/testing/wait.ts';
import type { WorkerStats } from '../messages.ts';
import { tellWorker } from '../tell-worker.ts';

/**
 * Registers the worker from its source with `query` (its options) and waits until it controls the page and starts
 * empty. Each registration gets a URL of its own, so a worker left over from another test is never mistaken for it.
 */
export async function startWorker(query = ''): Promise<ServiceWorkerRegistration> {
  const script = `/sw/sw.ts?${query}${query ? '&' : ''}run=${Math.random().toString(36).slice(2)}`;
  const registration = await navigator.serviceWorker.register(script, { type: 'module', scope: '/' });
  const href = new URL(script, location.href).href;
  // A registration still controlling the page is taken up again by register(): the new worker then waits.
  const installed = await until(
    () => registration.waiting ?? (registration.active?.scriptURL === href ? registration.active : undefined),
    'the worker to install',
    5_000,
  );
  if (installed?.state === 'installed') await tellWorker({ type: 'skip-waiting' }, installed);
  await until(() => navigator.serviceWorker.controller?.scriptURL === href, 'the worker to control the page', 5_000);
  // A worker that skipped waiting controls the page before its activation (old caches deleted) is over.
  await until(() => registration.active?.state === 'activated', 'the worker to finish activating', 5_000);
  await ask({ type: 'clear' });
  performance.clearResourceTimings();
  return registration;
}

/** Unregisters every worker of this origin (they keep control of this page until the next one claims it). */
export async function stopWorkers(): Promise<void> {
  for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
}

/** A request of the worker's message API; fails when there is no worker. */
export async function ask<T>(request: Parameters<typeof tellWorker>[0]): Promise<T> {
  const answer = await tellWorker<T>(request);
  if (answer === undefined) throw new Error('no service worker controls the page');
  return answer;
}

export const stats = () => ask<WorkerStats>({ type: 'stats' });

/**
 * Fetches `url` (not through the page's memory cache, which an `<img>` of a URL seen before would use) and reads how
 * the worker answered it. Resource timings are cleared after each, so a long test never fills their buffer.
 */
export async function fetchPicture(
  url: string,
): Promise<{ status: number; bytes: number; served: string | undefined }> {
  const response = await fetch(url);
  const bytes = (await response.arrayBuffer()).byteLength;
  const served = servedBy(url);
  performance.clearResourceTimings();
  return { status: response.status, bytes, served };
}

/** `hit` or `miss` as the worker's `Server-Timing` told the Resource Timing API for the latest load of `url`. */
export function servedBy(url: string): string | undefined {
  const entry = performance.getEntriesByName(new URL(url, location.href).href, 'resource').at(-1) as
    | PerformanceResourceTiming
    | undefined;
  return entry?.serverTiming.find((timing) => timing.name === 'sw-cache')?.description;
}
