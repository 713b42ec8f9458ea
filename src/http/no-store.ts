import type { Context } from 'koa';

/** RFC 6749 §5.1: a response that carries a token must not be cached anywhere. */
export function preventCaching(ctx: Context): void {
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Pragma', 'no-cache');
}
