import type { Context } from 'koa';

/** RFC 6749 §5.1: a response that carries a token must not be cached anywhere. */
export const NO_STORE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
});

/** Sets NO_STORE_HEADERS. */
export function preventCaching(ctx: Context): void {
  ctx.set(NO_STORE_HEADERS);
}
