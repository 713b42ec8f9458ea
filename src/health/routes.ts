import Router from '@koa/router';
import type { TesseraState } from '../auth/state.ts';
import { DATABASE_RETRY_AFTER_SECONDS } from '../http/error-handler.ts';
import type { Readiness } from './readiness.ts';
import type { OperationSpec } from '../openapi/operation.ts';
import { Health, NotReady, Readiness as ReadinessBody } from '../openapi/responses.ts';

/**
 * Liveness and readiness probes, at the root and without auth.
 *
 * `/readyz` answers `{status: "ready" | "degraded", database, redis}`
 * (degraded: Redis is down, the instance still serves), or 503 with the
 * error shape plus the same `database` and `redis` fields when the database
 * is unreachable or the instance is shutting down.
 */
export function healthRoutes(readiness: Readiness): Router<TesseraState> {
  const router = new Router<TesseraState>();

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    const report = await readiness.check();
    // A probe's answer is about this moment; nobody between should keep it.
    ctx.set('Cache-Control', 'no-store');
    if (report.ready) {
      ctx.body = {
        status: report.redis === 'down' ? 'degraded' : 'ready',
        database: report.database,
        redis: report.redis,
      };
      return;
    }
    // Built here, not thrown: the 503 carries fields beyond the error shape.
    ctx.status = 503;
    ctx.set('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
    ctx.body = {
      error: 'service_unavailable',
      message: report.reason,
      database: report.database,
      redis: report.redis,
    };
  });

  return router;
}

/** The OpenAPI description of these routes (src/openapi/registry.ts). */
export const healthOperations: readonly OperationSpec[] = [
  {
    method: 'get', path: '/healthz', tag: 'operations', access: 'public', noDatabase: true,
    summary: 'Liveness: the process is up',
    success: { status: 200, description: 'Up.', schema: Health },
  },
  {
    method: 'get', path: '/readyz', tag: 'operations', access: 'public', unavailableBody: NotReady,
    summary: 'Readiness: the database is reachable (`degraded` when Redis is down)',
    success: { status: 200, description: 'Ready to serve.', schema: ReadinessBody, noStore: true },
  },
];
