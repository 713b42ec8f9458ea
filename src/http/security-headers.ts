import cors from '@koa/cors';
import helmet, { type HelmetOptions } from 'helmet';
import type { Middleware } from 'koa';
import type { TesseraState } from '../auth/state.ts';

/**
 * The headers OWASP's REST Security Cheat Sheet asks of a JSON API, set by
 * helmet on every response: HSTS, `nosniff`, `X-Frame-Options: DENY`, a CSP
 * that lets a browser render and frame nothing, and no referrer. Helmet's
 * other defaults are for HTML pages; each costs header bytes on every
 * response of the hot path, so they are left out.
 */
export function securityHeaders(): Middleware<TesseraState> {
  const headers = Object.entries(securityHeaderValues());
  return (ctx, next) => {
    for (const [name, value] of headers) ctx.res.setHeader(name, value);
    return next();
  };
}

const API_HEADERS: HelmetOptions = {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    xContentTypeOptions: true,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    xPoweredBy: true,
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
};

/** The security headers of every response, by name (the bench's baseline sends the same). */
export function securityHeaderValues(): Record<string, string> {
  return helmetHeaders(API_HEADERS);
}

/**
 * The headers helmet sets for `options`, worked out once at start-up. With
 * these options they never depend on the request (no CSP nonces), so the
 * hot path copies a fixed list instead of running helmet's Express-style
 * middleware through a promise wrapper on every request.
 */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => {
      headers[name] = value;
    },
    removeHeader: (name: string) => {
      delete headers[name];
    },
  };
  helmet(options)({} as never, response as never, () => {});
  return headers;
}

/**
 * CORS for the configured origins only (CORS_ORIGINS); off when none are
 * set. With explicit origins, credentials are allowed, so a web app there
 * can use a cookie session (CSRF checks hold it to the same list, csrf.ts).
 * With `*` never: any site could then act with a visitor's cookies.
 */
export function corsFor(origins: readonly string[]): Middleware<TesseraState> {
  const anyOrigin = origins.includes('*');
  return cors({
    credentials: !anyOrigin,
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return anyOrigin || origins.includes(origin) ? origin || '*' : '';
    },
    allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
    exposeHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'WWW-Authenticate'],
    maxAge: 600,
  }) as unknown as Middleware<TesseraState>;
}
