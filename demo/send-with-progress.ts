/** How far an upload is: its bytes on their way, or all of them sent and the service working on them. */
export type UploadStep = { step: 'sending'; sent: number; total: number } | { step: 'processing' };

export interface UploadRequest {
  method: string;
  body: Blob;
  headers: Record<string, string>;
}

/** Statuses whose answer has no body: a `Response` refuses one. */
const NO_BODY = new Set([204, 205, 304]);

/**
 * Sends `request` as `fetch` would, telling `onStep` how far it is: fetch reports nothing of a request body's
 * progress, XMLHttpRequest does (`upload.onprogress`). Like fetch, it goes through the page's service worker, answers
 * with a `Response` whatever the status, and rejects with a `TypeError` when the network fails.
 */
export function sendWithProgress(
  url: string,
  request: UploadRequest,
  onStep: (step: UploadStep) => void,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(request.method, url);
    xhr.responseType = 'blob';
    for (const [name, value] of Object.entries(request.headers)) xhr.setRequestHeader(name, value);
    const total = request.body.size;
    // Upload listeners must be in place before `send`, or the browser reports nothing.
    xhr.upload.onloadstart = () => onStep({ step: 'sending', sent: 0, total });
    xhr.upload.onprogress = (event) => onStep({ step: 'sending', sent: Math.min(event.loaded, total), total });
    // The last byte is out: what remains is the service's work (decoding, cropping, encoding) and its answer.
    xhr.upload.onload = () => onStep({ step: 'processing' });
    xhr.onload = () =>
      resolve(
        new Response(NO_BODY.has(xhr.status) ? null : (xhr.response as Blob), {
          status: xhr.status,
          statusText: xhr.statusText,
        }),
      );
    xhr.onerror =
      xhr.ontimeout =
      xhr.onabort =
        () => reject(new TypeError(`${request.method} ${url}: the network failed`));
    xhr.send(request.body);
  });
}
