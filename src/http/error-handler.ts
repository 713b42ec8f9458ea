import type { Context, Middleware } from 'koa';
import { isDatabaseUnavailable, type OutageMonitor } from '../db/outage.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../logger.ts';
import type { TesseraState } from '../auth/state.ts';

/** RFC 7235 wants a challenge on every 401; token errors bring a fuller one. */
const DEFAULT_CHALLENGE = 'Bearer realm="tessera"';

function send(ctx: Context, error: AppError): void {
  ctx.status = error.status;
  ctx.set(error.headers);
  if (error.status === 401 && !ctx.response.get('WWW-Authenticate')) {
    ctx.set('WWW-Authenticate', DEFAULT_CHALLENGE);
  }
  ctx.body = {
    error: error.code,
    message: error.message,
    ...(error.details ? { details: error.details } : {}),
  };
}

/** Seconds a client is asked to wait when the database is unavailable: short outages are the common ones. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

function databaseUnavailable(): AppError {
  return new AppError('service_unavailable', undefined, {
    headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
  });
}

/**
 * The one place where errors become responses, first in the chain.
 * An AppError becomes the contract's JSON. A database that is unreachable,
 * full or too slow is `503 service_unavailable` with `Retry-After`, counted
 * by the outage monitor (which logs the outage once, not every request), so
 * routes need no try/catch of their own. Anything else is a bug: it is
 * logged with its stack and answered as `internal_error` with the request id,
 * never with the stack or SQL. Bodiless 404/405 from routing get JSON too.
 */
export function errorHandler(logger: Logger, outage: OutageMonitor): Middleware<TesseraState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body === undefined || ctx.body === null) {
        if (ctx.status === 404) throw new AppError('not_found');
        if (ctx.status === 405) throw new AppError('method_not_allowed');
      }
    } catch (caught) {
      if (caught instanceof AppError) {
        send(ctx, caught);
        return;
      }
      if (isDatabaseUnavailable(caught)) {
        outage.refused(caught);
        send(ctx, databaseUnavailable());
        return;
      }
      logger.error({ err: caught, requestId: ctx.state.requestId }, 'unhandled error');
      send(
        ctx,
        new AppError('internal_error', `Internal error (request id ${ctx.state.requestId}).`),
      );
    }
  };
}
