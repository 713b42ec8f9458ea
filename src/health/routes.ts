import Router from '@koa/router';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors/app-error.ts';
import type { TesseraState } from '../auth/state.ts';

/** Liveness and readiness probes, at the root and without auth. */
export function healthRoutes(db: Db): Router<TesseraState> {
  const router = new Router<TesseraState>();

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    try {
      await db.raw('select 1');
      ctx.body = { status: 'ready' };
    } catch {
      throw new AppError('not_ready');
    }
  });

  return router;
}
