import type { Middleware } from 'koa';
import type { TesseraState } from '../auth/state.ts';

/**
 * The middleware that does nothing (a limiter with RATE_LIMIT=off, request
 * logs below info level). Pipelines leave it out altogether, so a disabled
 * feature costs the hot path nothing.
 */
export const PASS_THROUGH: Middleware<TesseraState> = (_ctx, next) => next();

/** `middleware` without the pass-throughs. */
export function withoutPassThroughs(
  middleware: Middleware<TesseraState>[],
): Middleware<TesseraState>[] {
  return middleware.filter((layer) => layer !== PASS_THROUGH);
}
