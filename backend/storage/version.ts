import { concat } from '../bytes.ts';

/**
 * A version's name: the first 128 bits of the SHA-256 of its copies' bytes, narrowest first, in hex. So the name
 * proves the copies: copies that hash to it are all there, whole.
 */
export async function versionOf(copies: readonly Uint8Array[]): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', concat(copies)));
  return Array.from(digest.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
}
