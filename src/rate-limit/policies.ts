import type { Context, Middleware } from 'koa';
import { createHash } from 'node:crypto';
import type { RefusalAudit } from '../audit/refusal-summary.ts';
import type { TesseraState } from '../auth/state.ts';
import type { Config } from '../config/config.ts';
import type { RedisStatus } from '../db/redis-status.ts';
import { API_PREFIX } from '../http/api-prefix.ts';
import { clientIp } from '../http/client-info.ts';
import { originOf } from '../http/origin.ts';
import { PASS_THROUGH } from '../http/pass-through.ts';
import type { Logger } from '../logger.ts';
import { loginAccountKey } from '../users/identity.ts';
import { createLimiter, UNLIMITED, type CounterBackend, type Limiter } from './limiter.ts';
import { createLoginThrottle, NO_LOGIN_THROTTLE, type LoginThrottle } from './login-throttle.ts';

export interface RateLimits {
  /** Every request, per client IP (probes and introspection excluded); the express lane counts GET /me with it. */
  readonly global: Limiter;
  /** POST /users, per IP. */
  readonly register: Middleware<TesseraState>;
  /** POST /login, per IP. */
  readonly login: Middleware<TesseraState>;
  /** POST /login, per (IP, account name). */
  readonly loginAccount: Middleware<TesseraState>;
  /** POST /refresh, per IP. */
  readonly refresh: Middleware<TesseraState>;
  /**
   * POST /oauth/introspect, per authenticated service client (mounted after
   * client authentication). The express lane counts with it too (`count`).
   */
  readonly introspect: Limiter;
  /** POST /oauth/revoke, per IP, with /refresh's limit. */
  readonly revoke: Middleware<TesseraState>;
  /**
   * Failed service-client authentications on /oauth/introspect, per client IP.
   * The per-client limit counts only authenticated clients (anyone can name a
   * client id), so this is what stops a flood of made-up credentials.
   */
  readonly clientAuthFailures: Middleware<TesseraState>;
  /** Consecutive failed logins per account and per (account, address) (see login-throttle.ts). */
  readonly loginThrottle: LoginThrottle;
}

const PROBES = new Set(['/healthz', '/readyz']);
/**
 * Introspection is authenticated per service client and limited per client
 * (RATE_LIMIT_INTROSPECT), and a busy resource server sends all of it from
 * one address: counting it per IP as well would throttle that service at
 * RATE_LIMIT_GLOBAL, so the global limiter leaves it out.
 */
const INTROSPECTION_PATH = `${API_PREFIX}/oauth/introspect`;

/** What introspection is counted under: the authenticated client, whatever its address. */
export function introspectionKey(clientId: string): string {
  return `client|${clientId}`;
}

/**
 * The account a login body names, for counting per (IP, name); false when it
 * names none. This runs before the body is validated, so the name is
 * digested: keys stay short whatever was sent, and a password typed into the
 * username field is never kept as a key.
 */
function accountOf(ctx: Context): string | false {
  const body = ctx.request.body as { username?: unknown; email?: unknown } | undefined;
  let name: string;
  if (typeof body?.username === 'string') name = loginAccountKey({ username: body.username });
  else if (typeof body?.email === 'string') name = loginAccountKey({ email: body.email });
  else return false;
  return createHash('sha256').update(name).digest('base64url');
}


/**
 * Tessera's rate-limit policy. The per-account login throttle starts after a
 * handful of failures, well before the per-(IP, account) and per-IP login
 * limits, so guessing at one account does not lock out other users behind
 * the same IP. RATE_LIMIT=off turns everything here into a no-op.
 */
export function createRateLimits(deps: {
  config: Config;
  backend: CounterBackend;
  redisStatus: RedisStatus;
  refusals: RefusalAudit;
  logger: Logger;
}): RateLimits {
  const { config, backend, refusals, redisStatus } = deps;
  if (!config.rateLimit) {
    deps.logger.warn('RATE_LIMIT=off: every rate limiter and the login throttle are disabled');
    return {
      global: UNLIMITED,
      register: PASS_THROUGH,
      login: PASS_THROUGH,
      loginAccount: PASS_THROUGH,
      refresh: PASS_THROUGH,
      introspect: UNLIMITED,
      revoke: PASS_THROUGH,
      clientAuthFailures: PASS_THROUGH,
      loginThrottle: NO_LOGIN_THROTTLE,
    };
  }
  const limiter = (name: string, limit: Config['rateLimits']['global'], key: (ctx: Context) => string | false) => {
    // One summarised audit event per limit, key and window (refusal-summary.ts).
    const onLimited = (ctx: Context, limitName: string, counted: string) =>
      refusals.record({ limit: limitName, key: counted, windowSeconds: limit.seconds }, originOf(ctx));
    return createLimiter({ name, limit, key, backend, onLimited, redisStatus });
  };
  const limits = config.rateLimits;

  return {
    global: limiter('global', limits.global, (ctx) =>
      PROBES.has(ctx.path) || (ctx.method === 'POST' && ctx.path === INTROSPECTION_PATH) ? false : clientIp(ctx)),
    register: limiter('register', limits.register, (ctx) => clientIp(ctx)),
    login: limiter('login', limits.login, (ctx) => clientIp(ctx)),
    loginAccount: limiter('login_account', limits.loginAccount, (ctx) => {
      const account = accountOf(ctx);
      return account === false ? false : `${clientIp(ctx)}|${account}`;
    }),
    refresh: limiter('refresh', limits.refresh, (ctx) => clientIp(ctx)),
    // Counted after the client authenticated (oauth/routes.ts): per client, whatever its address.
    introspect: limiter('introspect', limits.introspect, (ctx) => {
      const client = (ctx.state as TesseraState).client;
      return client ? introspectionKey(client.client_id) : clientIp(ctx);
    }),
    revoke: limiter('revoke', limits.refresh, (ctx) => clientIp(ctx)),
    clientAuthFailures: limiter('client_auth_failures', limits.refresh, (ctx) => clientIp(ctx)),
    loginThrottle: createLoginThrottle({ settings: config.loginThrottle, backend, redisStatus }),
  };
}
