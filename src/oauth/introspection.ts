import { tokenHolds } from '../tokens/abilities.ts';
import type { Clock } from '../clock.ts';
import { hashToken, isWellFormedToken, TOKEN_PREFIXES } from '../crypto/tokens.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors/app-error.ts';
import { serialisedOnce } from '../auth/serialised-once.ts';
import type { AuthSession, AuthUser } from '../auth/state.ts';
import type { Authenticated } from '../sessions/service.ts';
import type { SessionsService } from '../sessions/service.ts';
import type { TokensService } from '../tokens/service.ts';
import { findRefreshTokenState } from './repository.ts';

/** RFC 7662 §2.2. Inactive is exactly `{active: false}`: nothing about why. */
export type Introspection =
  | { readonly active: false }
  | {
      readonly active: true;
      readonly token_type: 'Bearer';
      readonly token_kind: 'access_token' | 'refresh_token' | 'personal_access_token';
      readonly scope: string;
      readonly sub: string;
      readonly username: string;
      readonly is_admin: boolean;
      readonly exp: number;
      readonly iat: number;
      readonly sid: string;
    };

const INACTIVE: Introspection = Object.freeze({ active: false });
const INACTIVE_JSON = JSON.stringify(INACTIVE);

const seconds = (ms: number) => Math.floor(ms / 1000);

/** Token errors (401s) mean "not usable now"; anything else (a database outage) is a real error. */
function inactiveOnTokenError(error: unknown): string {
  if (error instanceof AppError && error.status === 401) return INACTIVE_JSON;
  throw error;
}

/**
 * Answers "is this token usable now, and whose is it" from the same state as
 * the bearer middleware: access tokens and PATs through the same cache and
 * batched lookup (so a revocation shows within the same bound), refresh
 * tokens from their row. The prefix says the type, so `token_type_hint`
 * (RFC 7662 §2.1: only an optimisation) is not needed.
 */
export function createIntrospection(deps: {
  db: Db;
  clock: Clock;
  accessTokenTtl: number;
  sessions: SessionsService;
  tokens: TokensService;
}) {
  const { db, clock, accessTokenTtl, sessions, tokens } = deps;
  // Serialised once per cached (user, session) pair, as GET /me's body is (auth/serialised-once.ts).
  const accessAnswerJson = serialisedOnce(accessAnswer);

  const accessJson = ({ user, session, accessExpiresAtMs }: Authenticated) =>
    accessAnswerJson(user, session, accessExpiresAtMs);

  /** At once on a cache hit, as the bearer middleware does (sessions' `authenticateNow`). */
  function access(token: string): string | Promise<string> {
    let authenticated: Authenticated | Promise<Authenticated>;
    try {
      authenticated = sessions.authenticateNow(token);
    } catch (error) {
      return inactiveOnTokenError(error);
    }
    return authenticated instanceof Promise
      ? authenticated.then(accessJson, inactiveOnTokenError)
      : accessJson(authenticated);
  }

  function accessAnswer(user: AuthUser, session: AuthSession, accessExpiresAtMs: number): Introspection {
    const exp = seconds(accessExpiresAtMs);
    return {
      active: true,
      token_type: 'Bearer',
      token_kind: 'access_token',
      scope: '*',
      sub: user.id,
      username: user.username,
      is_admin: user.isAdmin,
      exp,
      // Not stored: an access token is issued ACCESS_TOKEN_TTL before it expires (at most).
      iat: Math.max(seconds(Date.parse(session.createdAt)), exp - accessTokenTtl),
      sid: session.id,
    };
  }

  async function personal(token: string): Promise<Introspection> {
    const { user, token: pat, expiresAtMs } = await tokens.authenticate(token);
    // Only what the token can use now: `admin` lapses with its owner's role.
    const scope = pat.abilities.filter((ability) => ability === '*' || tokenHolds(pat, user, ability));
    return {
      active: true,
      token_type: 'Bearer',
      token_kind: 'personal_access_token',
      scope: scope.join(' '),
      sub: user.id,
      username: user.username,
      is_admin: user.isAdmin,
      exp: seconds(expiresAtMs),
      iat: seconds(Date.parse(pat.createdAt)),
      sid: pat.id,
    };
  }

  async function refresh(token: string): Promise<Introspection> {
    if (!isWellFormedToken(token, 'refresh')) return INACTIVE;
    const row = await findRefreshTokenState(db, hashToken(token));
    const now = clock().toISOString();
    if (!row || row.rotated_at !== null || row.revoked_at !== null || row.disabled || now >= row.expires_at) {
      return INACTIVE;
    }
    return {
      active: true,
      token_type: 'Bearer',
      token_kind: 'refresh_token',
      scope: '*',
      sub: String(row.user_id),
      username: row.username,
      is_admin: Boolean(row.is_admin),
      exp: seconds(Date.parse(row.expires_at)),
      iat: seconds(Date.parse(row.issued_at)),
      sid: row.session_id,
    };
  }

  /**
   * The RFC 7662 answer for `token`, as JSON text: at once for a cached
   * access token or a malformed one, a promise when it takes the database.
   * Rejects only when the answer cannot be known (the database is down).
   */
  return function introspect(token: string): string | Promise<string> {
    if (token.startsWith(TOKEN_PREFIXES.access)) return access(token);
    if (token.startsWith(TOKEN_PREFIXES.personal)) {
      return personal(token).then((answer) => JSON.stringify(answer), inactiveOnTokenError);
    }
    if (token.startsWith(TOKEN_PREFIXES.refresh)) return refresh(token).then((answer) => JSON.stringify(answer));
    return INACTIVE_JSON;
  };
}

export type Introspect = ReturnType<typeof createIntrospection>;
