/**
 * Just enough ISOBMFF/HEIF (ISO/IEC 14496-12, 23008-12) to walk its boxes. Every read is bounded by the
 * enclosing box, so a lying size throws.
 */
import { fourcc, readU32be, readUintbe } from './bytes.ts';
import { InvalidImageError } from './invalid-image-error.ts';

const bad = (problem: string) => new InvalidImageError('AVIF', problem);

export interface Box {
  type: string;
  /** Offset of the box's first byte. */
  start: number;
  /** Offset of the first byte after the header (for a FullBox, the version byte). */
  payload: number;
  /** Offset just past the box. */
  end: number;
}

/** The boxes directly inside `[from, to)`, which they must tile exactly. */
export function readBoxes(bytes: Uint8Array, from: number, to: number): Box[] {
  const boxes: Box[] = [];
  let at = from;
  while (at < to) {
    if (to - at < 8) throw bad(`a box header at offset ${at} runs past the end of its parent (truncated?)`);
    const type = fourcc(bytes, at + 4);
    let size = readU32be(bytes, at);
    let header = 8;
    if (size === 1) {
      if (to - at < 16) throw bad(`the ${type} box at offset ${at} has a cut-off 64-bit size`);
      size = readUintbe(bytes, at + 8, 8) ?? Infinity;
      header = 16;
    } else if (size === 0) {
      size = to - at; // "extends to the end of the file"
    }
    if (type === 'uuid') header += 16;
    if (size < header || size > to - at) {
      throw bad(
        `the ${JSON.stringify(type)} box at offset ${at} claims ${size} bytes but ${to - at} remain (truncated?)`,
      );
    }
    boxes.push({ type, start: at, payload: at + header, end: at + size });
    at += size;
  }
  return boxes;
}
