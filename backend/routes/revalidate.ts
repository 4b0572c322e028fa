import type { Context } from 'hono';

/**
 * Whether the request's `If-None-Match` already names `tag`, so the answer is a 304.
 * Tags are built from what the answer depends on, not hashed from the body: hashing every answer cost
 * more than the lookup itself.
 */
export function matchesETag(c: Context, tag: string): boolean {
  const bare = tag.replace(/^W\//, '');
  // `*` is not honoured: it would answer 304 for a version that does not exist.
  return (
    c.req
      .header('If-None-Match')
      ?.split(',')
      .some((t) => t.trim().replace(/^W\//, '') === bare) ?? false
  );
}

/** A short, stable digest of a string (FNV-1a, 32 bits, in base 36) for building weak tags. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}
