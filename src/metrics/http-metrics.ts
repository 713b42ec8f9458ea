import type { Middleware } from 'koa';
import type { TesseraState } from '../auth/state.ts';
import type { TesseraMetrics } from './metrics.ts';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Times every request and records it under the route pattern the router
 * matched (`/api/v1/sessions/:id`, never the raw URL, so ids do not become
 * series), its method and its final status. First in the pipeline, so the
 * status is the one the error handler chose and the time includes it.
 */
export function httpMetrics(metrics: TesseraMetrics): Middleware<TesseraState> {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const route = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      metrics.observeRequest(
        typeof route === 'string' ? route : 'unmatched',
        METHODS.has(ctx.method) ? ctx.method : 'OTHER',
        ctx.status,
        (performance.now() - started) / 1000,
      );
    }
  };
}
