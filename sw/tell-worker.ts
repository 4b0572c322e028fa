import type { WorkerReply, WorkerRequest } from './messages.ts';

/** How long the page waits for a worker's answer: an old worker that does not know a request never answers. */
const ANSWER_WITHIN_MS = 3_000;

/**
 * Sends a request of the message API to `worker` (default: the one controlling this page) and resolves with its
 * answer; with `undefined` at once when there is no worker. Rejects with the worker's error for a bad request, or
 * when it does not answer in time.
 *
 * @example
 * await tellWorker({ type: 'invalidate', userId: 'ada' });
 */
export function tellWorker<T>(
  request: WorkerRequest,
  worker = globalThis.navigator?.serviceWorker?.controller,
): Promise<T | undefined> {
  if (!worker) return Promise.resolve(undefined);
  return new Promise<T>((resolve, reject) => {
    const { port1, port2 } = new MessageChannel();
    const timer = setTimeout(() => {
      port1.close();
      reject(new Error(`the service worker did not answer ${request.type} within ${ANSWER_WITHIN_MS} ms`));
    }, ANSWER_WITHIN_MS);
    port1.onmessage = ({ data }: MessageEvent<WorkerReply<T>>) => {
      clearTimeout(timer);
      port1.close();
      if (data.ok) resolve(data.result);
      else reject(new Error(data.error));
    };
    worker.postMessage(request, [port2]);
  });
}
