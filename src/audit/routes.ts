import Router from '@koa/router';
import type { AuthMiddleware } from '../auth/middleware.ts';
import { signedInUser, type TesseraState } from '../auth/state.ts';
import { myAuditQuery } from './schemas.ts';
import { parseInput } from '../http/validate.ts';
import { preventCaching } from '../http/no-store.ts';
import { API_PREFIX } from '../http/api-prefix.ts';
import type { AuditService } from './service.ts';
import type { OperationSpec } from '../openapi/operation.ts';
import { AuditPage } from '../openapi/responses.ts';

/** GET /me/audit: the events about the caller's own account, newest first. */
export function myAuditRoutes(deps: { audit: AuditService; auth: AuthMiddleware }): Router<TesseraState> {
  const router = new Router<TesseraState>({ prefix: API_PREFIX });
  router.get('/me/audit', deps.auth.requireAbility('audit:read'), async (ctx) => {
    const { type, ...page } = parseInput(myAuditQuery, ctx.query);
    preventCaching(ctx); // personal data (API.md, "Conventions")
    const userId = Number(signedInUser(ctx).id);
    ctx.body = await deps.audit.list(type ? { userId, type } : { userId }, page);
  });
  return router;
}

/** The OpenAPI description of these routes (src/openapi/registry.ts). */
export const myAuditOperations: readonly OperationSpec[] = [
  {
    method: 'get', path: `${API_PREFIX}/me/audit`, tag: 'account', access: 'access', ability: 'audit:read',
    summary: 'Audit events about the caller, newest first',
    query: myAuditQuery,
    success: { status: 200, description: 'A page of events.', schema: AuditPage, noStore: true },
  },
];
