import type { Context, Middleware } from 'koa';
import type { BrowserCookies } from '../auth/cookie-token.ts';
import type { TesseraState } from '../auth/state.ts';
import { AppError } from '../errors/app-error.ts';

/**
 * CSRF protection for cookie sessions (API.md, "Browser sessions"). A
 * browser attaches cookies to requests another site makes, so a request
 * that authenticates by cookie and changes something must prove where it
 * comes from: its `Origin` must be ours or one listed in CORS_ORIGINS.
 * Browsers send `Origin` on every POST, PUT, PATCH and DELETE, and a page
 * cannot forge it. Bodies must be JSON (json-body.ts), which an HTML form
 * cannot send, so the check does not rest on one defence alone.
 */

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function isUnsafeMethod(method: string): boolean {
  return UNSAFE_METHODS.has(method);
}

/** Whether a request's `Origin` may drive a cookie session. */
export type OriginCheck = (ctx: Context) => boolean;

function normalizedOrigin(value: string): string | undefined {
  if (!URL.canParse(value)) return undefined;
  const origin = new URL(value).origin;
  // Opaque origins ("null": sandboxed frames, file: pages) are never ours.
  return origin === 'null' ? undefined : origin;
}

/**
 * Our own origin is PUBLIC_URL when set; otherwise the scheme and `Host`
 * the request arrived with, the scheme taken from `X-Forwarded-Proto` only
 * when a proxy is trusted (TRUST_PROXY; a page cannot set that header on a
 * cross-site request anyway). `*` in CORS_ORIGINS lets any site read
 * responses, but never drives a cookie session: only listed origins do.
 */
export function createOriginCheck(options: {
  readonly publicUrl: string | undefined;
  readonly corsOrigins: readonly string[];
  readonly trustProxy: number;
}): OriginCheck {
  const listed = new Set(
    options.corsOrigins.flatMap((origin) => {
      const normalized = origin === '*' ? undefined : normalizedOrigin(origin);
      return normalized ? [normalized] : [];
    }),
  );

  function ownOrigin(ctx: Context): string | undefined {
    if (options.publicUrl) return options.publicUrl;
    const host = ctx.get('Host');
    if (!host) return undefined;
    return normalizedOrigin(`${scheme(ctx)}://${host}`);
  }

  function scheme(ctx: Context): 'http' | 'https' {
    if (options.trustProxy > 0) {
      // The left-most value, as Koa reads it: the scheme the client used with the outermost proxy.
      const forwarded = ctx.get('X-Forwarded-Proto').split(',')[0]!.trim().toLowerCase();
      if (forwarded === 'https' || forwarded === 'http') return forwarded;
    }
    return (ctx.req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  }

  return (ctx) => {
    const sent = ctx.get('Origin');
    const origin = sent ? normalizedOrigin(sent) : undefined;
    if (origin === undefined) return false;
    return listed.has(origin) || origin === ownOrigin(ctx);
  };
}

/** 403 `csrf_failed` unless the request's `Origin` is allowed. */
export function assertAllowedOrigin(check: OriginCheck, ctx: Context): void {
  if (!check(ctx)) throw new AppError('csrf_failed');
}

/**
 * In the pipeline, before rate limits, body parsing and every route: an
 * unsafe request that carries a Tessera cookie and no `Authorization`
 * header (which would win over the cookie) is refused unless its `Origin`
 * is allowed, so a forged request changes nothing and costs nothing. A
 * cookie that turns out to be unused (a bearer-style refresh from a page
 * that also holds the cookie) is held to the same rule: a browser sends
 * `Origin` on these methods anyway.
 */
export function csrfGuard(cookies: BrowserCookies, check: OriginCheck): Middleware<TesseraState> {
  return (ctx, next) => {
    if (isUnsafeMethod(ctx.method) && !ctx.get('Authorization') && cookies.carried(ctx)) {
      assertAllowedOrigin(check, ctx);
    }
    return next();
  };
}
