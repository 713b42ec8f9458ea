import Router from '@koa/router';
import type { AuthMiddleware } from '../auth/middleware.ts';
import { signedInUser, type TesseraState } from '../auth/state.ts';
import { paginationQuery } from '../http/pagination.ts';
import { parseInput } from '../http/validate.ts';
import { API_PREFIX } from '../http/api-prefix.ts';
import type { AuditService } from './service.ts';

/** GET /me/audit: the events about the caller's own account, newest first. */
export function myAuditRoutes(deps: { audit: AuditService; auth: AuthMiddleware }): Router<TesseraState> {
  const router = new Router<TesseraState>({ prefix: API_PREFIX });
  router.get('/me/audit', deps.auth.requireAbility('audit:read'), async (ctx) => {
    const query = parseInput(paginationQuery, ctx.query);
    ctx.body = await deps.audit.list({ userId: Number(signedInUser(ctx).id) }, query);
  });
  return router;
}
