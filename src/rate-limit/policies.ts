import type { Context, Middleware } from 'koa';
import type { AuditLog } from '../audit/audit-log.ts';
import type { TesseraState } from '../auth/state.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import { originOf } from '../http/origin.ts';
import { PASS_THROUGH } from '../http/pass-through.ts';
import type { Logger } from '../logger.ts';
import { loginAccountKey } from '../users/identity.ts';
import { createLimiter, type CounterBackend } from './limiter.ts';
import { createLoginThrottle, NO_LOGIN_THROTTLE, type LoginThrottle } from './login-throttle.ts';

export interface RateLimits {
  /** Every request, per client IP (probes excluded). */
  readonly global: Middleware<TesseraState>;
  /** POST /users, per IP. */
  readonly register: Middleware<TesseraState>;
  /** POST /login, per IP. */
  readonly login: Middleware<TesseraState>;
  /** POST /login, per (IP, account name). */
  readonly loginAccount: Middleware<TesseraState>;
  /** POST /refresh, per IP. */
  readonly refresh: Middleware<TesseraState>;
  /** Consecutive failed logins per account name (see login-throttle.ts). */
  readonly loginThrottle: LoginThrottle;
}

const PROBES = new Set(['/healthz', '/readyz']);

/** The account a login body names, for counting per account; false when it names none. */
function accountOf(ctx: Context): string | false {
  const body = ctx.request.body as { username?: unknown; email?: unknown } | undefined;
  if (typeof body?.username === 'string') return loginAccountKey({ username: body.username });
  if (typeof body?.email === 'string') return loginAccountKey({ email: body.email });
  return false;
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
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
}): RateLimits {
  const { config, backend, audit } = deps;
  if (!config.rateLimit) {
    deps.logger.warn('RATE_LIMIT=off: every rate limiter and the login throttle are disabled');
    return {
      global: PASS_THROUGH,
      register: PASS_THROUGH,
      login: PASS_THROUGH,
      loginAccount: PASS_THROUGH,
      refresh: PASS_THROUGH,
      loginThrottle: NO_LOGIN_THROTTLE,
    };
  }
  const onLimited = (ctx: Context, name: string) =>
    audit.record({ type: 'rate_limited', detail: { limit: name, path: ctx.path } }, originOf(ctx));
  const limiter = (name: string, limit: Config['rateLimits']['global'], key: (ctx: Context) => string | false) =>
    createLimiter({ name, limit, key, backend, onLimited });
  const limits = config.rateLimits;

  return {
    global: limiter('global', limits.global, (ctx) => (PROBES.has(ctx.path) ? false : ctx.ip)),
    register: limiter('register', limits.register, (ctx) => ctx.ip),
    login: limiter('login', limits.login, (ctx) => ctx.ip),
    loginAccount: limiter('login_account', limits.loginAccount, (ctx) => {
      const account = accountOf(ctx);
      return account === false ? false : `${ctx.ip}|${account}`;
    }),
    refresh: limiter('refresh', limits.refresh, (ctx) => ctx.ip),
    loginThrottle: createLoginThrottle({ settings: config.loginThrottle, backend, clock: deps.clock }),
  };
}
