import { adminApi } from './api-admin.ts';
import { myAuditApi, sessionsApi, tokensApi } from './api-account.ts';
import { oauthApi } from './api-oauth.ts';
import { postsApi } from './api-posts.ts';
import type { Caller, CallOptions, RouteAuth } from './caller.ts';
import { TesseraError } from './errors.ts';
import { createRefreshCoordinator, type AuthMode, type SessionEndReason } from './refresh-coordinator.ts';
import { memoryTokenStore, type StoredSession, type TokenStore } from './token-store.ts';
import { createTransport, type RequestSpec } from './transport.ts';
import type {
  ChangePasswordInput,
  ChangePasswordResult,
  ClientCredentials,
  CookieSession,
  LoginInput,
  Me,
  RegisterInput,
  TokenPair,
  User,
} from './types.ts';

export interface TesseraClientOptions {
  /** The server's origin (`https://auth.example.com`); `''` (the default) is the page's own origin. */
  baseUrl?: string;
  /**
   * `bearer` (default): tokens in the store, sent as `Authorization`.
   * `cookie`: HttpOnly cookies set by the server; no token is ever held in JavaScript.
   */
  mode?: AuthMode;
  /** Where the session is kept (default: this instance's memory). */
  store?: TokenStore;
  /** Per-request timeout in ms (default 10 000); a call past it fails with `TesseraTimeoutError`. */
  timeoutMs?: number;
  /** Refresh before a call when the access token has less than this many seconds left. */
  refreshBeforeExpirySeconds?: number;
  /** Runs once when the session ends: `logout`, or the error code that ended it. */
  onSessionEnd?: (reason: SessionEndReason, error?: TesseraError) => void;
  /** Share refreshes between tabs (Web Locks + BroadcastChannel); `'auto'` (default) where available. */
  tabSync?: boolean | 'auto';
  /** BroadcastChannel and lock name; clients of different servers on one origin need different names. */
  channelName?: string;
  /** Credentials for `oauth.introspect` when a call gives none. */
  serviceClient?: ClientCredentials;
  fetch?: typeof fetch;
  /** Headers added to every request. */
  headers?: Record<string, string>;
}

/** 401 codes that a refresh (or a newer stored pair) may cure. */
const RECOVERABLE = new Set(['token_expired', 'token_invalid', 'token_revoked']);

/**
 * A typed client for Tessera's HTTP API that keeps the session alive:
 * refresh on `token_expired` with one refresh for any number of concurrent
 * calls (and tabs), and an end of session reported once, never a loop.
 *
 * @example
 * import { TesseraClient, localStorageTokenStore } from 'tessera/client';
 *
 * const tessera = new TesseraClient({
 *   baseUrl: 'https://auth.example.com',
 *   store: localStorageTokenStore(),
 *   onSessionEnd: (reason) => showSignIn(reason),
 * });
 * await tessera.login({ username: 'alice', password: 'correct horse battery staple' });
 * const me = await tessera.me();
 */
export class TesseraClient {
  readonly mode: AuthMode;
  readonly sessions;
  readonly tokens;
  readonly audit;
  readonly posts;
  readonly admin;
  readonly oauth;
  readonly #transport;
  readonly #keeper;

  constructor(options: TesseraClientOptions = {}) {
    this.mode = options.mode ?? 'bearer';
    this.#transport = createTransport({
      baseUrl: options.baseUrl ?? '',
      timeoutMs: options.timeoutMs ?? 10_000,
      credentials: this.mode === 'cookie' ? 'include' : 'same-origin',
      fetch: options.fetch,
      headers: options.headers,
    });
    this.#keeper = createRefreshCoordinator({
      mode: this.mode,
      store: options.store ?? memoryTokenStore(),
      transport: this.#transport,
      onSessionEnd: options.onSessionEnd,
      refreshBeforeMs: (options.refreshBeforeExpirySeconds ?? 0) * 1000,
      tabSync: options.tabSync ?? 'auto',
      channelName: options.channelName ?? 'tessera-session',
      rotatedWaitMs: 5_000,
    });
    const caller: Caller = { call: (spec, auth, callOptions) => this.#call(spec, auth, callOptions) };
    this.sessions = sessionsApi(caller);
    this.tokens = tokensApi(caller);
    this.audit = myAuditApi(caller);
    this.posts = postsApi(caller);
    this.admin = adminApi(caller);
    this.oauth = oauthApi(caller, options.serviceClient);
  }

  /** `POST /users`: creates an account (does not sign in). */
  register(input: RegisterInput, options?: CallOptions): Promise<User> {
    return this.#call({ method: 'POST', path: '/users', body: input }, 'none', options);
  }

  /** `POST /login`: signs in and stores the session (cookie mode: the server sets cookies). */
  async login(input: LoginInput, options?: CallOptions): Promise<TokenPair | CookieSession> {
    const body = this.mode === 'cookie' ? { ...input, use_cookies: true } : input;
    const answer = await this.#call<TokenPair | CookieSession>(
      { method: 'POST', path: '/login', body },
      'none',
      options,
    );
    await this.#keeper.begin(answer);
    return answer;
  }

  /** Refreshes now (shared with any refresh already running); resolves with the stored session. */
  async refresh(options?: CallOptions): Promise<StoredSession> {
    return this.#keeper.refresh(await this.#keeper.current(), options?.signal);
  }

  /** `POST /logout`: ends this device's session, here and on the server. */
  async logout(options?: CallOptions): Promise<void> {
    try {
      await this.#call({ method: 'POST', path: '/logout' }, 'required', options);
    } finally {
      // Signed out locally even when the server could not be told: that is what the user asked for.
      await this.#keeper.end('logout', signedOut('logout'));
    }
  }

  /** `POST /logout/all`: every device; with `keep_current`, every other one. */
  async logoutAll(input: { keep_current?: boolean } = {}, options?: CallOptions) {
    const answer = await this.#call<{ revoked: number }>(
      { method: 'POST', path: '/logout/all', body: input },
      'required',
      options,
    );
    if (input.keep_current !== true) await this.#keeper.end('logout', signedOut('logout'));
    return answer;
  }

  /** `GET /me`: the user and this device. */
  me(options?: CallOptions): Promise<Me> {
    return this.#call({ method: 'GET', path: '/me' }, 'required', options);
  }

  /** `PUT /me/password`: every other session is revoked. */
  changePassword(input: ChangePasswordInput, options?: CallOptions): Promise<ChangePasswordResult> {
    return this.#call({ method: 'PUT', path: '/me/password', body: input }, 'required', options);
  }

  /** The stored session (never the cookies in cookie mode), or null when signed out. */
  session(): Promise<StoredSession | null> {
    return this.#keeper.current();
  }

  /** Stops listening to other tabs. */
  close(): void {
    this.#keeper.close();
  }

  /**
   * Every call goes through here: send with the current session, and after a
   * 401 that a refresh may cure, retry exactly once with what `recover` gives.
   */
  async #call<T>(spec: RequestSpec, auth: RouteAuth, options: CallOptions = {}): Promise<T> {
    if (auth === 'none') return this.#transport.send<T>(spec, options);
    let session = await this.#keeper.current();
    if (auth === 'required') {
      // After the end of a session, nothing is sent until a new one begins.
      if (this.#keeper.ended) throw this.#keeper.ended;
      if (this.mode === 'bearer' && !session) throw signedOut('not_signed_in');
    }
    session = await this.#keeper.refreshIfDue(session, options.signal);
    try {
      return await this.#transport.send<T>(spec, { ...options, bearer: session?.access_token });
    } catch (error) {
      if (!this.#recoverable(error, session)) throw error;
      const next = await this.#keeper.recover(session, error as TesseraError, options.signal);
      return this.#transport.send<T>(spec, { ...options, bearer: next.access_token });
    }
  }

  #recoverable(error: unknown, session: StoredSession | null): boolean {
    if (!(error instanceof TesseraError) || error.status !== 401) return false;
    // In cookie mode an expired access cookie is simply gone (its Max-Age ran out): token_missing.
    if (this.mode === 'cookie') return RECOVERABLE.has(error.code) || error.code === 'token_missing';
    return session !== null && RECOVERABLE.has(error.code);
  }
}

function signedOut(code: string): TesseraError {
  return new TesseraError({ status: 401, code, message: 'Not signed in.' });
}
