import type { Context } from 'koa';
import { MAX_TOKEN_LENGTH } from '../crypto/tokens.ts';
import { AppError } from '../errors/app-error.ts';
import { API_PREFIX } from '../http/api-prefix.ts';

/**
 * Browser sessions (API.md, "Browser sessions"): the access and refresh
 * tokens travel in HttpOnly cookies, so no script on the page can read them.
 * This module reads and writes those cookies; the tokens themselves are
 * resolved by the same `sessions.authenticate` / `rotateRefreshToken` as
 * bearer tokens (there is no second way in).
 */

/** Where the refresh cookie is sent: nowhere but POST /refresh. */
export const REFRESH_COOKIE_PATH = `${API_PREFIX}/refresh`;

export interface CookieNames {
  readonly access: string;
  readonly refresh: string;
}

/**
 * `__Host-` makes the browser insist on Secure, Path=/ and no Domain, so a
 * sibling subdomain cannot plant (toss) an access cookie for us; `__Secure-`
 * is the most a cookie with a narrower path can have. Both need Secure, so
 * COOKIE_SECURE=false drops the prefixes with it.
 */
export function cookieNames(secure: boolean): CookieNames {
  return secure
    ? { access: '__Host-tsr_at', refresh: '__Secure-tsr_rt' }
    : { access: 'tsr_at', refresh: 'tsr_rt' };
}

/** A token pair as the login and refresh routes present it. */
export interface PresentedPair {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly expires_in: number;
  readonly refresh_expires_in: number;
  readonly session_id: string;
}

/** The cookie form of a token pair: everything but the token strings. */
export interface CookieSessionBody {
  readonly session_id: string;
  readonly expires_in: number;
  readonly refresh_expires_in: number;
  readonly token_type: 'cookie';
}

export interface BrowserCookies {
  readonly names: CookieNames;
  /** The access cookie's token; undefined when absent; `malformed` when it cannot be a token. */
  readAccess(ctx: Context): string | undefined | 'malformed';
  /** The refresh cookie's token, likewise. */
  readRefresh(ctx: Context): string | undefined | 'malformed';
  /** True when the request carries either cookie (whatever its value). */
  carried(ctx: Context): boolean;
  /** Sets both cookies for a freshly issued pair and returns the body that goes with them. */
  issue(ctx: Context, pair: PresentedPair): CookieSessionBody;
  /** Tells the browser to forget both cookies (`Max-Age=0`). */
  clear(ctx: Context): void;
}

const TOKEN_VALUE = /^[A-Za-z0-9_-]+$/;

/**
 * The value of cookie `name` in a Cookie header (RFC 6265 §5.4: `a=1; b=2`).
 * The first one wins when a name repeats: browsers list the cookie with the
 * longer path first, which is ours.
 */
function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    while (header.charCodeAt(start) === 32) start += 1;
    if (header.startsWith(name, start) && header.charCodeAt(start + name.length) === 61 /* = */) {
      return header.slice(start + name.length + 1, end).trim();
    }
    start = end + 1;
  }
  return undefined;
}

function tokenIn(header: string | undefined, name: string): string | undefined | 'malformed' {
  const value = cookieValue(header, name);
  if (value === undefined) return undefined;
  // Checked before any lookup, like a Bearer header's value.
  return value.length <= MAX_TOKEN_LENGTH && TOKEN_VALUE.test(value) ? value : 'malformed';
}

export function createBrowserCookies(options: { readonly secure: boolean }): BrowserCookies {
  const names = cookieNames(options.secure);
  const secure = options.secure ? '; Secure' : '';
  // Lax lets a top-level navigation from another site carry the access cookie (a link to the
  // console); only safe methods are let through that way, and CSRF checks guard the rest.
  const accessAttributes = `; Path=/; HttpOnly${secure}; SameSite=Lax`;
  // Strict and one path: the refresh token goes to POST /refresh from our own pages and nowhere else.
  const refreshAttributes = `; Path=${REFRESH_COOKIE_PATH}; HttpOnly${secure}; SameSite=Strict`;
  const accessCookie = (value: string, maxAge: number) => `${names.access}=${value}; Max-Age=${maxAge}${accessAttributes}`;
  const refreshCookie = (value: string, maxAge: number) => `${names.refresh}=${value}; Max-Age=${maxAge}${refreshAttributes}`;

  return {
    names,
    readAccess: (ctx) => tokenIn(ctx.get('Cookie'), names.access),
    readRefresh: (ctx) => tokenIn(ctx.get('Cookie'), names.refresh),
    carried(ctx) {
      const header = ctx.get('Cookie');
      return cookieValue(header, names.access) !== undefined || cookieValue(header, names.refresh) !== undefined;
    },
    issue(ctx, pair) {
      ctx.append('Set-Cookie', [
        accessCookie(pair.access_token, pair.expires_in),
        refreshCookie(pair.refresh_token, pair.refresh_expires_in),
      ]);
      return {
        session_id: pair.session_id,
        expires_in: pair.expires_in,
        refresh_expires_in: pair.refresh_expires_in,
        token_type: 'cookie',
      };
    },
    clear(ctx) {
      ctx.append('Set-Cookie', [accessCookie('', 0), refreshCookie('', 0)]);
    },
  };
}

/** Requests whose credential came from a cookie: their 401s clear the cookies, their logouts too. */
const byCookie = new WeakSet<Context>();

export function markCookieAuthenticated(ctx: Context): void {
  byCookie.add(ctx);
}

export function isCookieAuthenticated(ctx: Context): boolean {
  return byCookie.has(ctx);
}

/**
 * Runs `action` for a request authenticated by cookie; a 401 (expired,
 * revoked, unknown) also clears both cookies, so the browser stops sending
 * a dead credential and the page knows to sign in again.
 */
export async function clearingCookiesOn401<T>(
  ctx: Context,
  cookies: BrowserCookies,
  action: () => Promise<T>,
): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof AppError && error.status === 401) cookies.clear(ctx);
    throw error;
  }
}
