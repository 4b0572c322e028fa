import type { PictureMeta } from '../../contract/picture.ts';
import type { PreparedHeaders } from '../cors.ts';
import { fnv1a } from './revalidate.ts';

/** The lookup is revalidated every time: a 304 is cheap, and a changed picture must show at once. */
export const LOOKUP_CACHING = 'no-cache';

/** What a lookup of one picture answers, all made from its metadata at once (see {@link createLookupAnswers}). */
export interface LookupAnswer {
  /** The single lookup's `ETag`: `W/"…"`. */
  etag: string;
  /** The tag as `If-None-Match` names it, without the weak prefix: `"…"`. */
  opaque: string;
  /** The metadata as JSON, its URLs published: the single lookup's body. */
  json: string;
  /** The same JSON as the batch's member for its user: `"ada":{…}`. */
  member: string;
  /** A digest of the user and the tag, from which the batch's tag is made. */
  digest: number;
  /** The headers of its answers from the cache, for the CORS headers last asked for (see {@link hitHeaders}). */
  hit?: HitHeaders;
}

/** All the headers of a single lookup answered from the cache, for one origin's CORS headers. */
export interface HitHeaders {
  cors: PreparedHeaders;
  ok: PreparedHeaders;
  notModified: PreparedHeaders;
}

export interface LookupAnswers {
  /** The metadata as a page is to see it: an operator's public address before every URL. */
  published(meta: PictureMeta): PictureMeta;
  /** The answer for `meta`; made once for an entry that cannot change (a frozen one, as the memory cache keeps). */
  answerFor(meta: PictureMeta): LookupAnswer;
}

/**
 * Answers to lookups, prepared per cached entry: what a cached lookup sends does not change from one request to
 * the next, so its JSON and tags are made when the entry is first answered, not per request.
 */
export function createLookupAnswers(publicUrl?: string): LookupAnswers {
  /** The service names its copies by path: an operator's public address goes before them, never the request's host. */
  const published = (meta: PictureMeta): PictureMeta => {
    if (!publicUrl) return meta;
    return {
      ...meta,
      url: publicUrl + meta.url,
      variants: meta.variants.map((variant) => ({ ...variant, url: publicUrl + variant.url })),
    };
  };
  // Keyed by the entry itself, so an answer goes when its entry does; an entry replaced is a new object.
  const made = new WeakMap<PictureMeta, LookupAnswer>();

  function make(meta: PictureMeta): LookupAnswer {
    // What the answer depends on: the version and how long it may be used. Weak, since the same picture reached
    // through another host name is the same answer.
    const tag = `${meta.version}.${meta.expiresAt.toString(36)}`;
    const opaque = `"${tag}"`;
    const json = JSON.stringify(published(meta));
    return {
      etag: `W/${opaque}`,
      opaque,
      json,
      // A picture is looked up by its own user's id, so the key is `meta.userId`. User ids are of a closed alphabet
      // (USER_ID_PATTERN): quoted as they are, they are JSON strings.
      member: `"${meta.userId}":${json}`,
      digest: fnv1a(`${meta.userId}:${tag}`),
    };
  }

  return {
    published,
    answerFor(meta) {
      // An object that may still change could go stale behind a kept answer: those are made afresh.
      if (!Object.isFrozen(meta) || !Object.isFrozen(meta.variants)) return make(meta);
      let answer = made.get(meta);
      if (!answer) {
        answer = make(meta);
        made.set(meta, answer);
      }
      return answer;
    },
  };
}

/**
 * The headers of `answer` when the cache answered it, with `cors`: made once and kept with the answer, so a hit builds
 * no header object (a spread of them cost more than the rest of the route). Made again only when another origin's
 * CORS headers are asked for.
 */
export function hitHeaders(answer: LookupAnswer, cors: PreparedHeaders): HitHeaders {
  if (answer.hit?.cors === cors) return answer.hit;
  const notModified = Object.freeze({ ...cors, ...validators(answer, 'HIT') });
  answer.hit = { cors, notModified, ok: Object.freeze({ ...notModified, 'Content-Type': 'application/json' }) };
  return answer.hit;
}

/** The headers every answer to a single lookup has, whatever its CORS headers. */
export function validators(answer: LookupAnswer, cache: string): Record<string, string> {
  return { ETag: answer.etag, 'Cache-Control': LOOKUP_CACHING, 'X-Cache': cache };
}
