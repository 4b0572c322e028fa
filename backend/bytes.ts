/**
 * Byte helpers with no home of their own: used by the upload parsers, the storage and the test builders alike,
 * so they live here rather than under one of them. Web-standard only (no `Buffer`), since Deno runs this too.
 */

/**
 * Joins byte arrays into one new array that shares no memory with them: typed for `Response`/`crypto.subtle`
 * (an `ArrayBuffer`, never a `SharedArrayBuffer`), and safe to keep after the parts' buffers are reused.
 *
 * @example
 * concat([Uint8Array.of(1, 2), Uint8Array.of(3)]); // Uint8Array [1, 2, 3]
 */
export function concat(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
