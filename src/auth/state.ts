import type { ParameterizedContext } from 'koa';

/** The signed-in user as every route and embedding app sees it on `ctx.state.user`. */
export interface AuthUser {
  readonly id: string;
  readonly username: string;
  readonly email: string | null;
  readonly isAdmin: boolean;
  readonly disabled: boolean;
  readonly createdAt: string;
}

/** The device session the request's access token belongs to, on `ctx.state.session`. */
export interface AuthSession {
  readonly id: string;
  readonly userId: string;
  readonly deviceName: string;
  readonly userAgent: string | null;
  readonly ip: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string;
  readonly expiresAt: string;
}

/**
 * The personal access token a request was made with, on `ctx.state.token`
 * (then `ctx.state.session` is unset: a PAT is not a login session).
 */
export interface AuthToken {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  /** As created, duplicates merged; `*` is every ability but `admin`. */
  readonly abilities: readonly string[];
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly expiresAt: string;
}

/**
 * Koa state shared by Tessera's middleware, its routes and embedding apps.
 * `user` and `session` are set by `requireAuth()` (always) and by
 * `optionalAuth()` (when a valid token was sent).
 */
export interface TesseraState {
  requestId: string;
  user?: AuthUser;
  session?: AuthSession;
  /** Set instead of `session` when the request carries a personal access token. */
  token?: AuthToken;
  /** The service client that authenticated (POST /oauth/introspect). */
  client?: { readonly client_id: string };
}

export type TesseraContext = ParameterizedContext<TesseraState>;

/**
 * The user and session of a request that passed `requireAuth()`. Throws (a
 * 500, since it is a wiring bug) if used on a route without it.
 */
export function signedIn(ctx: TesseraContext): { user: AuthUser; session: AuthSession } {
  const { user, session } = ctx.state;
  if (!user || !session) throw new Error('signedIn() used on a route without requireSession()');
  return { user, session };
}

/**
 * The user of a request that passed `requireAuth()` or `requireAbility()`,
 * whether it came with a session token or a personal access token.
 */
export function signedInUser(ctx: TesseraContext): AuthUser {
  const { user } = ctx.state;
  if (!user) throw new Error('signedInUser() used on a route without requireAuth()');
  return user;
}
