import type { Context } from 'hono';

/**
 * Whether the request's `If-None-Match` already names `tag`, so the answer is a 304.
 * Tags are built from what the answer depends on, not hashed from the body: hashing every answer cost
 * more than the lookup itself.
 */
export function matchesETag(c: Context, tag: string): boolean {
  return namesTag(c.req.header('If-None-Match'), tag.replace(/^W\//, ''));
}

/**
 * Whether an `If-None-Match` value names `opaque`, a tag without its weak prefix (`"…"`): weak and strong forms of a
 * tag match alike.
 */
export function namesTag(ifNoneMatch: string | undefined, opaque: string): boolean {
  // `*` is not honoured: it would answer 304 for a version that does not exist.
  return ifNoneMatch?.split(',').some((t) => t.trim().replace(/^W\//, '') === opaque) ?? false;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** A short, stable digest of a string (FNV-1a, 32 bits) for building weak tags; {@link tagText} writes it. */
export function fnv1a(text: string): number {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash;
}

/** Where a chain of digests starts (see {@link chainDigest}). */
export const DIGEST_CHAIN_START = FNV_OFFSET;

/**
 * `hash` with `digest` after it: FNV-1a over digests, each as one unit, so a tag over many parts is made from the
 * digests each part keeps, without hashing their text again.
 */
export function chainDigest(hash: number, digest: number): number {
  return Math.imul(hash ^ digest, FNV_PRIME);
}

/** A digest as the text of a tag: base 36. */
export function tagText(digest: number): string {
  return (digest >>> 0).toString(36);
}
