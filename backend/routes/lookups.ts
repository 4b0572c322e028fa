import { Hono, type Context } from 'hono';
import type { Cors, PreparedHeaders } from '../cors.ts';
import { ApiError } from '../errors.ts';
import type { LookupObserver } from '../metrics/observe.ts';
import type { PictureService } from '../pictures.ts';
import { checkUserId } from '../user-id.ts';
import { hitHeaders, LOOKUP_CACHING, type LookupAnswers, validators } from './lookup-answers.ts';
import { chainDigest, DIGEST_CHAIN_START, fnv1a, namesTag, tagText } from './revalidate.ts';

/** The most users one batch lookup may ask for. */
export const MAX_BATCH = 100;

/**
 * `GET /api/pictures/:userId` and `GET /api/pictures?users=a,b`, the calls every page makes. The app mounts them
 * ahead of its middleware, so they answer with headers made once (`answers`, `cors.headersFor`) and count themselves
 * (`observe`), instead of having headers built and checked one by one for every request. An error is answered by the
 * app's error handler, with the CORS headers set here.
 */
export function lookupRoutes(options: {
  service: PictureService;
  answers: LookupAnswers;
  cors: Cors;
  observe: LookupObserver;
}) {
  const { service, answers, cors, observe } = options;

  return new Hono()
    .get('/', async (c) => {
      const started = performance.now();
      const corsHeaders = cors.headersFor(c.req.header('Origin'));
      try {
        const asked = parseUsers(c.req.query('users'));
        const { pictures, cache } = await service.lookup(asked.userIds);
        observe('batch', cache, started, asked.named);
        // The JSON is put together from each picture's prepared JSON, the tag from their digests.
        const members: string[] = [];
        let digest = DIGEST_CHAIN_START;
        for (const [userId, meta] of pictures) {
          const answer = meta && answers.answerFor(meta);
          members.push(answer ? answer.member : noPicture(userId));
          digest = chainDigest(digest, answer ? answer.digest : fnv1a(`${userId}:-`));
        }
        const opaque = `"${tagText(digest)}"`;
        const validated = { ETag: `W/${opaque}`, 'Cache-Control': LOOKUP_CACHING, 'X-Cache': cache };
        if (namesTag(c.req.header('If-None-Match'), opaque))
          return respond(null, 304, { ...corsHeaders, ...validated });
        const body = `{"pictures":{${members.join(',')}}}`;
        return respond(body, 200, { ...corsHeaders, ...validated, 'Content-Type': 'application/json' });
      } catch (error) {
        throw withHeaders(c, corsHeaders, error);
      }
    })
    .get('/:userId', async (c) => {
      const started = performance.now();
      const corsHeaders = cors.headersFor(c.req.header('Origin'));
      try {
        const userId = checkUserId(c.req.param('userId'));
        const { pictures, cache } = await service.lookup([userId]);
        observe('single', cache, started);
        const meta = pictures.get(userId);
        if (!meta) {
          c.header('X-Cache', cache);
          throw new ApiError(404, 'not_found', `User ${userId} has no picture.`);
        }
        const answer = answers.answerFor(meta);
        const notModified = namesTag(c.req.header('If-None-Match'), answer.opaque);
        if (cache === 'HIT') {
          const headers = hitHeaders(answer, corsHeaders);
          return notModified ? respond(null, 304, headers.notModified) : respond(answer.json, 200, headers.ok);
        }
        const headers = { ...corsHeaders, ...validators(answer, cache) };
        if (notModified) return respond(null, 304, headers);
        return respond(answer.json, 200, { ...headers, 'Content-Type': 'application/json' });
      } catch (error) {
        throw withHeaders(c, corsHeaders, error);
      }
    });
}

/** An answer with its headers as they are: node-server writes a plain object's headers without a `Headers` object. */
function respond(body: string | null, status: 200 | 304, headers: Record<string, string>): Response {
  return new Response(body, { status, headers });
}

/** Gives the answer the app's error handler makes for `error` the headers the lookup's answer would have had. */
function withHeaders(c: Context, headers: PreparedHeaders, error: unknown): unknown {
  for (const name in headers) c.header(name, headers[name]);
  return error;
}

/**
 * The batch member of a user with no picture. User ids are of a closed alphabet (USER_ID_PATTERN): quoted as they
 * are, they are JSON strings.
 */
function noPicture(userId: string): string {
  return `"${userId}":null`;
}

/** The users a batch names, each once, and how many names it gave (duplicates and blanks counted). */
function parseUsers(query: string | undefined): { userIds: string[]; named: number } {
  const names = (query ?? '').split(',');
  const unique = new Set<string>();
  for (const name of names) {
    const userId = name.trim();
    if (userId) unique.add(userId);
  }
  if (!unique.size) throw new ApiError(400, 'bad_request', 'Name the users: /api/pictures?users=a,b,c.');
  if (unique.size > MAX_BATCH) {
    throw new ApiError(
      400,
      'bad_request',
      `At most ${MAX_BATCH} users per request (got ${unique.size}); split the list.`,
    );
  }
  const userIds = [...unique];
  for (const userId of userIds) checkUserId(userId);
  return { userIds, named: names.length };
}
