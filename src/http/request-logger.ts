import type { Middleware } from 'koa';
import type { Logger } from '../logger.ts';
import type { TesseraState } from '../auth/state.ts';
import { PASS_THROUGH } from './pass-through.ts';

/**
 * One log line per request: method, path (without the query string, which
 * is never needed to debug and could carry something secret), status, time.
 */
export function requestLogger(logger: Logger): Middleware<TesseraState> {
  // Below info level nothing would be written: skip the timing on the hot path too.
  if (!logger.isLevelEnabled('info')) return PASS_THROUGH;
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      logRequest(logger, { requestId: ctx.state.requestId, method: ctx.method, path: ctx.path, status: ctx.status }, started);
    }
  };
}

/** The request's log line; `started` is its `performance.now()` on arrival. */
export function logRequest(
  logger: Logger,
  request: { requestId: string; method: string; path: string; status: number },
  started: number,
): void {
  logger.info({ ...request, ms: Math.round((performance.now() - started) * 10) / 10 }, 'request');
}
