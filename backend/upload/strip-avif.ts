import { InvalidImageError } from './invalid-image-error.ts';
import { readBoxes, readItemInfos, readItemLocations, type Box, type ItemInfo } from './isobmff.ts';

const bad = (problem: string) => new InvalidImageError('AVIF', problem);

/**
 * Blanks the Exif and XMP items of an AVIF: their bytes, found through `iinf` and `iloc`, are overwritten
 * with zeros in place. The image items and every box are copied unchanged.
 *
 * Zeroing rather than removing: `iloc` addresses item data by absolute file offset, so cutting bytes out
 * would mean rewriting every later offset (whose field width may then no longer fit) along with `iinf`,
 * `iref` and `ipma` entries for the removed items. Zeros leave a valid file for the cost of a few KB, and
 * decoders already treat an unreadable Exif item as absent. Orientation needs no saving: AVIF keeps it
 * in the `irot`/`imir` properties, not in Exif.
 *
 * @throws {InvalidImageError} on a broken box structure, or a metadata item whose bytes are outside
 *   `mdat`/`idat`, have no stated length, or are built from other items (construction method 2).
 */
export function stripAvif(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const top = readBoxes(bytes, 0, bytes.length);
  if (top[0]?.type !== 'ftyp') throw bad('it does not start with an ftyp box');
  const metas = top.filter((box) => box.type === 'meta');
  if (metas.length > 1) throw bad('it has more than one top-level meta box');
  const meta = metas[0];
  if (meta === undefined) {
    // An image sequence (`moov`) may have no items at all, hence nothing to clear; a file with neither is cut short.
    if (top.some((box) => box.type === 'moov')) return bytes.slice();
    throw bad('it has neither a meta box (a still image) nor a moov box (a sequence)');
  }

  if (meta.end - meta.payload < 4) throw bad('the meta box is too short for its version and flags');
  const children = readBoxes(bytes, meta.payload + 4, meta.end);
  const iinf = children.find((box) => box.type === 'iinf');
  if (iinf === undefined) return bytes.slice();
  const metadataIds = new Set(readItemInfos(bytes, iinf).filter(isMetadata).map((item) => item.id));
  if (metadataIds.size === 0) return bytes.slice();

  const iloc = children.find((box) => box.type === 'iloc');
  if (iloc === undefined) throw bad('it declares items but has no iloc box saying where they are');
  const idat = children.find((box) => box.type === 'idat');
  const mdats = top.filter((box) => box.type === 'mdat');

  const out = bytes.slice();
  for (const location of readItemLocations(bytes, iloc)) {
    if (!metadataIds.has(location.id)) continue;
    // The bytes live in another file; there is nothing here to clear.
    if (location.dataReferenceIndex !== 0) continue;
    let containers: Box[];
    if (location.constructionMethod === 0) containers = mdats;
    else if (location.constructionMethod === 1) containers = idat ? [idat] : [];
    else throw bad(`metadata item ${location.id} uses construction method ${location.constructionMethod}, which cannot be cleared in place`);

    for (const extent of location.extents) {
      // Offsets are relative to the file (method 0) or to the idat payload (method 1).
      const origin = location.constructionMethod === 1 && idat ? idat.payload : 0;
      const start = origin + location.baseOffset + extent.offset;
      const end = start + extent.length;
      if (extent.length === 0) throw bad(`metadata item ${location.id} has an extent without a length`);
      // Inside a data box only, so zeroing can never damage the box structure.
      if (!containers.some((box) => start >= box.payload && end <= box.end)) {
        throw bad(`metadata item ${location.id} points at bytes ${start}–${end}, outside any ${location.constructionMethod === 1 ? 'idat' : 'mdat'} box`);
      }
      out.fill(0, start, end);
    }
  }
  return out;
}

function isMetadata(item: ItemInfo): boolean {
  return item.type === 'Exif' || item.contentType?.trim().toLowerCase() === 'application/rdf+xml';
}
