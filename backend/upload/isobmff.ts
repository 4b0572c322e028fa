/**
 * Just enough ISOBMFF/HEIF (ISO/IEC 14496-12, 23008-12) to find items and where their bytes are: boxes,
 * `iinf`/`infe` and `iloc`. Every read is bounded by the enclosing box, so a lying size throws.
 */
import { fourcc, u16be, u32be, uintbe } from './bytes.ts';
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
    let size = u32be(bytes, at);
    let header = 8;
    if (size === 1) {
      if (to - at < 16) throw bad(`the ${type} box at offset ${at} has a cut-off 64-bit size`);
      size = uintbe(bytes, at + 8, 8) ?? Infinity;
      header = 16;
    } else if (size === 0) {
      size = to - at; // "extends to the end of the file"
    }
    if (type === 'uuid') header += 16;
    if (size < header || size > to - at) {
      throw bad(`the ${JSON.stringify(type)} box at offset ${at} claims ${size} bytes but ${to - at} remain (truncated?)`);
    }
    boxes.push({ type, start: at, payload: at + header, end: at + size });
    at += size;
  }
  return boxes;
}

export interface ItemInfo {
  id: number;
  /** `infe` version 2+ item type, e.g. `av01`, `Exif`, `mime`; `null` in versions 0 and 1, which have none. */
  type: string | null;
  /** For `mime` items (and every version 0/1 item), the content type; otherwise `null`. */
  contentType: string | null;
}

/** The items declared by an `iinf` box. */
export function readItemInfos(bytes: Uint8Array, iinf: Box): ItemInfo[] {
  const r = new BoxReader(bytes, iinf);
  const version = r.u8();
  r.skip(3);
  r.skip(version === 0 ? 2 : 4); // entry_count: the child boxes are authoritative
  const infos: ItemInfo[] = [];
  for (const infe of readBoxes(bytes, r.at, iinf.end)) {
    if (infe.type !== 'infe') continue;
    const e = new BoxReader(bytes, infe);
    const v = e.u8();
    e.skip(3);
    if (v < 2) {
      const id = e.u16();
      e.skip(2); // item_protection_index
      e.string(); // item_name
      infos.push({ id, type: null, contentType: e.string() });
      continue;
    }
    const id = v === 2 ? e.u16() : e.u32();
    e.skip(2);
    const type = e.fourcc();
    e.string();
    infos.push({ id, type, contentType: type === 'mime' ? e.string() : null });
  }
  return infos;
}

export interface ItemLocation {
  id: number;
  /** 0: offsets in this file; 1: offsets in the `idat` box; 2: another item's bytes. */
  constructionMethod: number;
  /** 0 means this file. */
  dataReferenceIndex: number;
  baseOffset: number;
  /** `length` 0 means "to the end of the data". */
  extents: { offset: number; length: number }[];
}

/** Where each item's bytes are, from an `iloc` box of version 0, 1 or 2. */
export function readItemLocations(bytes: Uint8Array, iloc: Box): ItemLocation[] {
  const r = new BoxReader(bytes, iloc);
  const version = r.u8();
  if (version > 2) throw bad(`iloc version ${version} is not defined (0–2 are)`);
  r.skip(3);
  const sizes = r.u8();
  const more = r.u8();
  const offsetSize = fieldSize(sizes >> 4, 'offset_size');
  const lengthSize = fieldSize(sizes & 0x0f, 'length_size');
  const baseOffsetSize = fieldSize(more >> 4, 'base_offset_size');
  const indexSize = version >= 1 ? fieldSize(more & 0x0f, 'index_size') : 0;
  const itemCount = version < 2 ? r.u16() : r.u32();

  const locations: ItemLocation[] = [];
  for (let i = 0; i < itemCount; i++) {
    const id = version < 2 ? r.u16() : r.u32();
    const constructionMethod = version >= 1 ? r.u16() & 0x0f : 0;
    const dataReferenceIndex = r.u16();
    const baseOffset = r.uint(baseOffsetSize);
    const extentCount = r.u16();
    const extents: ItemLocation['extents'] = [];
    if (indexSize + offsetSize + lengthSize === 0) {
      // Extents that occupy no bytes are all "offset 0, whole length": one stands for all, and looping
      // 65535 times per item over nothing would let a tiny file burn CPU.
      if (extentCount > 0) extents.push({ offset: 0, length: 0 });
    } else {
      for (let e = 0; e < extentCount; e++) {
        r.skip(indexSize);
        extents.push({ offset: r.uint(offsetSize), length: r.uint(lengthSize) });
      }
    }
    locations.push({ id, constructionMethod, dataReferenceIndex, baseOffset, extents });
  }
  return locations;
}

function fieldSize(size: number, name: string): 0 | 4 | 8 {
  if (size === 0 || size === 4 || size === 8) return size;
  throw bad(`iloc ${name} is ${size}; only 0, 4 and 8 are defined`);
}

/** Sequential reads inside one box's payload; reading past the box's end throws. */
class BoxReader {
  at: number;
  private readonly bytes: Uint8Array;
  private readonly box: Box;

  constructor(bytes: Uint8Array, box: Box) {
    this.bytes = bytes;
    this.box = box;
    this.at = box.payload;
  }

  private take(count: number): number {
    if (count > this.box.end - this.at) {
      throw bad(`the ${this.box.type} box at offset ${this.box.start} ends in the middle of a field (truncated or malformed)`);
    }
    const at = this.at;
    this.at += count;
    return at;
  }

  skip(count: number): void {
    this.take(count);
  }

  u8(): number {
    return this.bytes[this.take(1)]!;
  }

  u16(): number {
    return u16be(this.bytes, this.take(2));
  }

  u32(): number {
    return u32be(this.bytes, this.take(4));
  }

  uint(size: 0 | 4 | 8): number {
    const value = uintbe(this.bytes, this.take(size), size);
    if (value === null) throw bad(`the ${this.box.type} box holds an offset beyond 2^53`);
    return value;
  }

  fourcc(): string {
    return fourcc(this.bytes, this.take(4));
  }

  /** A NUL-terminated UTF-8 string; a missing terminator ends it at the box's end, as some writers do. */
  string(): string {
    const nul = this.bytes.subarray(this.at, this.box.end).indexOf(0);
    const end = nul < 0 ? this.box.end : this.at + nul;
    const text = new TextDecoder().decode(this.bytes.subarray(this.at, end));
    this.at = nul < 0 ? end : end + 1;
    return text;
  }
}
