import type { Context } from 'hono';
import { verify } from 'hono/jwt';
import { ApiError } from './errors.ts';

export interface AuthOptions {
  /** The HS256 secret user tokens are signed with; without it no user token is accepted. */
  secret?: string;
  /** The operator's token; without it there is no operator. */
  adminToken?: string;
  /**
   * The audience user tokens must name in `aud` (`AUTH_AUDIENCE`). Unset, a token that names any audience is refused:
   * it was issued for another service.
   */
  audience?: string;
  /** Longer tokens are refused before they are decoded (default 8 KiB; real ones are a few hundred bytes). */
  maxTokenBytes?: number;
  /**
   * The longest a user token may last, in seconds (`MAX_TOKEN_LIFETIME_S`, default 24 h): from its `iat` to its
   * `exp`, or from now when it has no `iat`. A token without `exp` is refused.
   */
  maxTokenLifetimeS?: number;
}

/** The longest bearer token looked at by default. */
export const DEFAULT_MAX_TOKEN_BYTES = 8 * 1024;

/**
 * The longest user token lifetime taken by default: 24 hours. A login's session token usually lasts minutes to a
 * day; a stolen token that outlives a day is a standing key, and a site that wants longer can raise it.
 */
export const DEFAULT_MAX_TOKEN_LIFETIME_S = 24 * 60 * 60;

/** Who made a request: an operator, or the user named by the token's `sub`. */
export type Caller = { admin: true } | { admin: false; userId: string };

const challenge = { headers: { 'WWW-Authenticate': 'Bearer' } };

/**
 * Authentication by `Authorization: Bearer <token>`: the `ADMIN_TOKEN`, or an HS256 JWT whose `sub` is the user.
 * Only HS256 is accepted (so `alg: none` and algorithm swaps fail), `exp`/`nbf` are checked, and so is `aud`: the
 * token must be for this service's audience, or name none when the service has none. `exp` is required, and may be
 * at most `maxTokenLifetimeS` after `iat` (or now). A token longer than `maxTokenBytes` is refused unread. Refusals
 * say what is wrong and never repeat the token, the secret or the configured audience.
 */
export function createAuth(options: AuthOptions) {
  const adminDigest = options.adminToken ? sha256(options.adminToken) : undefined;
  const maxTokenBytes = options.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  const maxLifetime = options.maxTokenLifetimeS ?? DEFAULT_MAX_TOKEN_LIFETIME_S;

  async function caller(c: Context): Promise<Caller> {
    const header = c.req.header('Authorization');
    const token = header?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token) throw new ApiError(401, 'unauthorized', 'Send Authorization: Bearer <token>.', challenge);
    // Before anything decodes it: decoding and hashing cost time in its length.
    if (token.length > maxTokenBytes) {
      throw new ApiError(
        401,
        'unauthorized',
        `The token is longer than ${maxTokenBytes} bytes; send the token your site's login issued.`,
        challenge,
      );
    }
    if (adminDigest && equalBytes(await sha256(token), await adminDigest)) return { admin: true };
    if (!options.secret) {
      throw new ApiError(
        401,
        'unauthorized',
        'User tokens are not accepted: the service has no AUTH_SECRET.',
        challenge,
      );
    }
    let sub: unknown;
    let aud: unknown;
    let exp: unknown;
    let iat: unknown;
    try {
      // Checks the signature, and `exp`, `nbf`, `iat` and `aud` when present.
      ({ sub, aud, exp, iat } = await verify(token, options.secret, { alg: 'HS256', aud: options.audience }));
    } catch (error) {
      // The library's messages quote the token, its payload or the expected audience: none of that is said back.
      throw new ApiError(401, 'unauthorized', `Invalid token: ${whyRefused(error)}`, { ...challenge, cause: error });
    }
    if (!options.audience && aud !== undefined) {
      throw new ApiError(
        401,
        'unauthorized',
        `Invalid token: it is for audience ${JSON.stringify(aud)}, and this service takes tokens for none (AUTH_AUDIENCE is unset).`,
        challenge,
      );
    }
    if (typeof exp !== 'number') {
      throw new ApiError(
        401,
        'unauthorized',
        `Invalid token: it never expires (no exp); issue tokens with an exp at most ${maxLifetime} s after they are issued.`,
        challenge,
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const lifetime = exp - (typeof iat === 'number' ? iat : now);
    if (lifetime > maxLifetime) {
      throw new ApiError(
        401,
        'unauthorized',
        `Invalid token: it lasts ${lifetime} s, longer than this service's maximum of ${maxLifetime} s (MAX_TOKEN_LIFETIME_S); issue tokens that expire sooner.`,
        challenge,
      );
    }
    if (typeof sub !== 'string' || !sub)
      throw new ApiError(401, 'unauthorized', 'Invalid token: it names no user (sub).', challenge);
    return { admin: false, userId: sub };
  }

  return {
    /** Throws 401 unless the caller is an operator. */
    async requireAdmin(c: Context): Promise<void> {
      const who = await caller(c);
      if (!who.admin) throw new ApiError(403, 'forbidden', 'Only an operator (ADMIN_TOKEN) may do this.');
    },
    /** Throws 401/403 unless the caller is `userId` or an operator. */
    async requireUser(c: Context, userId: string): Promise<void> {
      const who = await caller(c);
      if (!who.admin && who.userId !== userId) {
        throw new ApiError(403, 'forbidden', `This token is for user ${who.userId}, not ${userId}.`);
      }
    },
  };
}

export type Auth = ReturnType<typeof createAuth>;

/** What is wrong with a token the library refused, and what to do, in words that repeat nothing from it. */
function whyRefused(error: unknown): string {
  switch ((error as Error | undefined)?.name) {
    case 'JwtTokenExpired':
      return "it has expired; get a new one from your site's login.";
    case 'JwtTokenNotBefore':
      return 'it is not valid yet (nbf is in the future); check the clocks of the issuer and this service.';
    case 'JwtTokenIssuedAt':
      return 'it was issued in the future (iat); check the clocks of the issuer and this service.';
    case 'JwtTokenSignatureMismatched':
      return "its signature does not match; send a token signed with this service's AUTH_SECRET.";
    case 'JwtHeaderInvalid':
      return "its header names no algorithm this service knows (alg), or is not a JWT's; send a token signed with HS256 and this service's AUTH_SECRET.";
    case 'JwtAlgorithmMismatch':
      return "it is not signed with HS256; send a token signed with HS256 and this service's AUTH_SECRET.";
    case 'JwtPayloadRequiresAud':
      return 'it names no audience (aud), and this service takes only tokens for its own (AUTH_AUDIENCE); get a token issued for this service.';
    case 'JwtTokenAudience':
      return "it is for another audience (aud) than this service's (AUTH_AUDIENCE); get a token issued for this service.";
    default:
      return "it is not a well-formed JWT (header.payload.signature); send the token your site's login issued.";
  }
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/** Compares digests without an early exit, so timing tells nothing about the token. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
