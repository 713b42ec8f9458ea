import type { Middleware, Next } from 'koa';
import { AppError } from '../errors/app-error.ts';
import type { SessionsService } from '../sessions/service.ts';
import { ABILITY_PATTERN, ADMIN_ABILITY, tokenHolds } from '../tokens/abilities.ts';
import type { TokensService } from '../tokens/service.ts';
import { readBearerToken } from './bearer-token.ts';
import type { TesseraContext, TesseraState } from './state.ts';
import { tokenError } from './token-errors.ts';
import { TOKEN_PREFIXES } from '../crypto/tokens.ts';
import { assertAllowedOrigin, isUnsafeMethod, type OriginCheck } from '../http/csrf.ts';
import { clearingCookiesOn401, markCookieAuthenticated, type BrowserCookies } from './cookie-token.ts';

export interface AuthMiddleware {
  /**
   * 401 unless the request carries a live session access token or personal
   * access token; sets `ctx.state.user` and `.session` (sessions) or
   * `.token` (personal access tokens). A PAT passes whatever its abilities:
   * guard routes a PAT should not reach with `requireAbility`.
   */
  requireAuth(): Middleware<TesseraState>;
  /**
   * `requireAuth()`, then 403 `insufficient_scope` unless the token holds
   * `ability`: session tokens hold every one (`admin` only for admins); a
   * personal access token the ones it was created with (`*`: all but `admin`).
   */
  requireAbility(ability: string): Middleware<TesseraState>;
  /**
   * `requireAuth()`, then 403 `insufficient_scope` for a personal access
   * token: account credentials (password, logout, tokens) need a login session.
   */
  requireSession(): Middleware<TesseraState>;
  /**
   * Lets anonymous requests through; a request that does send a token must
   * send a good one (a bad token is a 401, not silently anonymous).
   */
  optionalAuth(): Middleware<TesseraState>;
  /** `requireAuth()`, then 403 `forbidden` unless the user is an admin (and a PAT holds `admin`). */
  requireAdmin(): Middleware<TesseraState>;
}

export interface AuthOptions {
  /**
   * Browser sessions: the access cookie authenticates a request that sends
   * no `Authorization` header (a header always wins), under the CSRF rule.
   */
  readonly browser?: { readonly cookies: BrowserCookies; readonly originAllowed: OriginCheck };
  /** Told how each authentication ended: `ok`, or the error code (metrics). */
  readonly onOutcome?: (outcome: string) => void;
}

/** RFC 6750 §3.1: the challenge for a token that is good but not good enough here. */
function insufficientScope(ability?: string): AppError {
  const scope = ability === undefined ? '' : `, scope="${ability}"`;
  const message =
    ability === undefined
      ? 'This route needs a login session; a personal access token cannot use it.'
      : `The token lacks the "${ability}" ability.`;
  return new AppError('insufficient_scope', message, {
    headers: { 'WWW-Authenticate': `Bearer realm="tessera", error="insufficient_scope"${scope}` },
  });
}

/**
 * Builds the policy middleware that Tessera's routes and embedding apps use.
 *
 * @example
 * const auth = createAuthMiddleware(sessions, tokens);
 * router.get('/reports', auth.requireAbility('reports:read'), (ctx) => {
 *   ctx.body = { owner: ctx.state.user!.username };
 * });
 */
export function createAuthMiddleware(
  sessions: SessionsService,
  tokens: TokensService,
  options: AuthOptions = {},
): AuthMiddleware {
  const { browser, onOutcome } = options;

  /** Resolves the bearer token (or the access cookie) onto ctx.state; returns false when none was sent. */
  async function authenticate(ctx: TesseraContext): Promise<boolean> {
    const header = ctx.get('Authorization');
    if (!header && browser) return authenticateByCookie(ctx, browser);
    const credential = readBearerToken(header);
    if (credential.kind === 'none') return false;
    if (credential.kind === 'malformed') throw tokenError('token_invalid');
    if (credential.token.startsWith(TOKEN_PREFIXES.personal)) {
      const { user, token } = await tokens.authenticate(credential.token);
      ctx.state.user = user;
      ctx.state.token = token;
      return true;
    }
    const { user, session } = await sessions.authenticate(credential.token);
    ctx.state.user = user;
    ctx.state.session = session;
    return true;
  }

  /** The access cookie, through the same `sessions.authenticate` as a bearer token. */
  async function authenticateByCookie(
    ctx: TesseraContext,
    { cookies, originAllowed }: NonNullable<AuthOptions['browser']>,
  ): Promise<boolean> {
    const token = cookies.readAccess(ctx);
    if (token === undefined) return false;
    markCookieAuthenticated(ctx);
    // The pipeline checked this already (csrf.ts); checked again for apps that mount these middleware alone.
    if (isUnsafeMethod(ctx.method)) assertAllowedOrigin(originAllowed, ctx);
    return clearingCookiesOn401(ctx, cookies, async () => {
      if (token === 'malformed') throw tokenError('token_invalid');
      const { user, session } = await sessions.authenticate(token);
      ctx.state.user = user;
      ctx.state.session = session;
      return true;
    });
  }

  /** Authenticates (401 `token_missing` without a credential), runs `check`, and reports how it ended. */
  async function admit(ctx: TesseraContext, check?: (ctx: TesseraContext) => void): Promise<void> {
    try {
      if (!(await authenticate(ctx))) throw new AppError('token_missing');
      check?.(ctx);
    } catch (error) {
      onOutcome?.(error instanceof AppError ? error.code : 'error');
      throw error;
    }
    onOutcome?.('ok');
  }

  /** Whether the request's credential holds `ability` (see requireAbility). */
  function holds(ctx: TesseraContext, ability: string): boolean {
    const { user, token } = ctx.state;
    if (!user) return false;
    if (token) return tokenHolds(token, user, ability);
    return ability !== ADMIN_ABILITY || user.isAdmin;
  }

  const requireAuth = (): Middleware<TesseraState> => async (ctx, next: Next) => {
    await admit(ctx);
    await next();
  };

  /** `requireAuth()` followed by `check`, as one middleware. */
  const authThen = (check: (ctx: TesseraContext) => void): Middleware<TesseraState> => async (ctx, next) => {
    await admit(ctx, check);
    await next();
  };

  return {
    requireAuth,

    requireAbility(ability) {
      if (ability.length > 64 || !ABILITY_PATTERN.test(ability)) {
        throw new Error(`requireAbility: "${ability}" is not a valid ability`);
      }
      return authThen((ctx) => {
        if (!holds(ctx, ability)) throw insufficientScope(ability);
      });
    },

    requireSession: () =>
      authThen((ctx) => {
        if (ctx.state.token) throw insufficientScope();
      }),

    optionalAuth: () => async (ctx, next) => {
      let sent: boolean;
      try {
        sent = await authenticate(ctx);
      } catch (error) {
        onOutcome?.(error instanceof AppError ? error.code : 'error');
        throw error;
      }
      if (sent) onOutcome?.('ok');
      await next();
    },

    requireAdmin: () =>
      authThen((ctx) => {
        if (!ctx.state.user?.isAdmin) throw new AppError('forbidden', 'Admin role required.');
        if (!holds(ctx, ADMIN_ABILITY)) throw insufficientScope(ADMIN_ABILITY);
      }),
  };
}
