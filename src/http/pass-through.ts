import type { Middleware } from 'koa';
import type { TesseraState } from '../auth/state.ts';

/** Middleware known to do nothing but call `next()`. */
const passThroughs = new WeakSet<Middleware<TesseraState>>();

/**
 * Marks `middleware` as doing nothing but call `next()` (a limiter with
 * RATE_LIMIT=off, request logs below info level). Pipelines leave such
 * middleware out altogether, so a disabled feature costs the hot path nothing.
 */
export function passThrough<M extends Middleware<TesseraState>>(middleware: M): M {
  passThroughs.add(middleware);
  return middleware;
}

/** The middleware that does nothing. */
export const PASS_THROUGH: Middleware<TesseraState> = passThrough((_ctx, next) => next());

/** `middleware` without the pass-throughs. */
export function withoutPassThroughs(
  middleware: Middleware<TesseraState>[],
): Middleware<TesseraState>[] {
  return middleware.filter((layer) => !passThroughs.has(layer));
}
