import Router from '@koa/router';
import type { AuthMiddleware } from '../auth/middleware.ts';
import type { TesseraState } from '../auth/state.ts';
import type { AuditService } from '../audit/service.ts';
import { AppError } from '../errors/app-error.ts';
import { parseNumericId, parseSessionId } from '../http/ids.ts';
import { originOf } from '../http/origin.ts';
import { NO_SUCH_ID, page } from '../http/pagination.ts';
import { parseInput } from '../http/validate.ts';
import { API_PREFIX } from '../http/api-prefix.ts';
import { presentSession } from '../sessions/present.ts';
import { toAuthSession } from '../sessions/service.ts';
import { presentUser, toAuthUser } from '../users/present.ts';
import { auditQuery, listUsersQuery, updateUserBody } from './schemas.ts';
import type { AdminService } from './service.ts';
import compose from 'koa-compose';
import type { Middleware } from 'koa';
import { preventCaching } from '../http/no-store.ts';
import type { OperationSpec } from '../openapi/operation.ts';
import { AuditPage, Revoked, SessionList, User, UserPage } from '../openapi/responses.ts';

function userIdParam(raw: string | undefined): number {
  const id = parseNumericId(raw);
  if (id === undefined) throw new AppError('not_found', 'No such user.');
  return id;
}

function sessionIdParam(raw: string | undefined): string {
  const id = parseSessionId(raw);
  if (id === undefined) throw new AppError('not_found', 'No such session.');
  return id;
}

const noStore: Middleware<TesseraState> = (ctx, next) => {
  preventCaching(ctx);
  return next();
};

/** /admin/*: every route needs an admin (403 `forbidden` for anyone else). */
export function adminRoutes(deps: {
  admin: AdminService;
  audit: AuditService;
  auth: AuthMiddleware;
}): Router<TesseraState> {
  const { admin, audit, auth } = deps;
  const router = new Router<TesseraState>({ prefix: `${API_PREFIX}/admin` });
  // Everything under /admin is personal data: never cached (API.md, "Conventions").
  const adminOnly = compose([auth.requireAdmin(), noStore]);

  router.get('/users', adminOnly, async (ctx) => {
    const query = parseInput(listUsersQuery, ctx.query);
    const { rows, total } = await admin.listUsers({ q: query.q }, query);
    ctx.body = page(rows.map((row) => presentUser(toAuthUser(row))), total, query);
  });

  router.patch('/users/:id', adminOnly, async (ctx) => {
    const userId = userIdParam(ctx.params.id);
    const body = parseInput(updateUserBody, ctx.request.body);
    const user = await admin.updateUser(userId, body, originOf(ctx));
    ctx.body = presentUser(toAuthUser(user));
  });

  router.get('/users/:id/sessions', adminOnly, async (ctx) => {
    const rows = await admin.listUserSessions(userIdParam(ctx.params.id));
    ctx.body = { sessions: rows.map((row) => presentSession(toAuthSession(row), ctx.state.session?.id)) };
  });

  router.delete('/users/:id/sessions', adminOnly, async (ctx) => {
    const revoked = await admin.revokeUserSessions(userIdParam(ctx.params.id), originOf(ctx));
    ctx.body = { revoked };
  });

  router.delete('/sessions/:id', adminOnly, async (ctx) => {
    await admin.revokeSession(sessionIdParam(ctx.params.id), originOf(ctx));
    ctx.status = 204;
  });

  router.get('/audit', adminOnly, async (ctx) => {
    const query = parseInput(auditQuery, ctx.query);
    if (query.user_id === NO_SUCH_ID) {
      ctx.body = page([], 0, query); // an id no row can have: nothing to ask the database
      return;
    }
    ctx.body = await audit.list({ userId: query.user_id, type: query.type }, query);
  });

  // Unknown /admin paths still answer 401/403 first: nothing under /admin is public.
  router.all('/{*rest}', adminOnly, () => {
    throw new AppError('not_found');
  });

  return router;
}

const ADMIN = `${API_PREFIX}/admin`;

/** The OpenAPI description of these routes (src/openapi/registry.ts). */
export const adminOperations: readonly OperationSpec[] = [
  {
    method: 'get', path: `${ADMIN}/users`, tag: 'admin', access: 'admin',
    summary: 'List users in id order; `q` matches username or email, ignoring case',
    query: listUsersQuery,
    success: { status: 200, description: 'A page of users.', schema: UserPage, noStore: true },
  },
  {
    method: 'patch', path: `${ADMIN}/users/:id`, tag: 'admin', access: 'admin',
    summary: 'Disable or enable a user, grant or remove the admin role',
    description: 'Disabling revokes every session and PAT of the user. An admin cannot disable or demote themselves (`403 forbidden`).',
    body: { schema: updateUserBody, required: true, example: { disabled: true } },
    success: { status: 200, description: 'The user.', schema: User, noStore: true },
  },
  {
    method: 'get', path: `${ADMIN}/users/:id/sessions`, tag: 'admin', access: 'admin',
    summary: 'A user\'s live sessions',
    success: { status: 200, description: 'The sessions.', schema: SessionList, noStore: true },
  },
  {
    method: 'delete', path: `${ADMIN}/users/:id/sessions`, tag: 'admin', access: 'admin',
    summary: 'Revoke every session of a user',
    success: { status: 200, description: '`revoked` counts them.', schema: Revoked, noStore: true },
  },
  {
    method: 'delete', path: `${ADMIN}/sessions/:id`, tag: 'admin', access: 'admin',
    summary: 'Revoke one session',
    success: { status: 204, description: 'Revoked.' },
  },
  {
    method: 'get', path: `${ADMIN}/audit`, tag: 'admin', access: 'admin',
    summary: 'The audit log, newest first, by user and type',
    query: auditQuery,
    success: { status: 200, description: 'A page of events.', schema: AuditPage, noStore: true },
  },
];
