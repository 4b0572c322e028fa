/** The two pieces of GIF's block structure needed to walk a file without decoding it. */
import { need } from './bytes.ts';

/** Size in bytes of the colour table a packed field announces (its high bit says whether there is one). */
export function colorTableSize(packed: number): number {
  return packed & 0x80 ? 3 * (1 << ((packed & 0x07) + 1)) : 0;
}

/** The offset just past a chain of sub-blocks (each a length byte and data) and its 0 terminator. */
export function skipSubBlocks(bytes: Uint8Array, at: number): number {
  for (;;) {
    need(bytes, at, 1, 'GIF', 'a data sub-block');
    const size = bytes[at]!;
    at += 1;
    if (size === 0) return at;
    need(bytes, at, size, 'GIF', 'a data sub-block');
    at += size;
  }
}
