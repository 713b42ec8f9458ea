import type { Context, Middleware } from 'koa';
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

/**
 * The one place where errors become responses, first in the chain.
 * An AppError becomes the contract's JSON; anything else is a bug: it is
 * logged with its stack and answered as `internal_error` with the request id,
 * never with the stack or SQL. Bodiless 404/405 from routing get JSON too.
 */
export function errorHandler(logger: Logger): Middleware<TesseraState> {
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
      logger.error({ err: caught, requestId: ctx.state.requestId }, 'unhandled error');
      send(
        ctx,
        new AppError('internal_error', `Internal error (request id ${ctx.state.requestId}).`),
      );
    }
  };
}
