import Router from '@koa/router';
import type { AuthMiddleware } from '../auth/middleware.ts';
import { signedIn, type TesseraState } from '../auth/state.ts';
import { AppError } from '../errors/app-error.ts';
import { API_PREFIX } from '../http/api-prefix.ts';
import { parseNumericId, parseSessionId } from '../http/ids.ts';
import { preventCaching } from '../http/no-store.ts';
import { originOf } from '../http/origin.ts';
import { parseInput } from '../http/validate.ts';
import { presentToken } from './present.ts';
import { createTokenBody } from './schemas.ts';
import type { TokensService } from './service.ts';
import type { OperationSpec } from '../openapi/operation.ts';
import { CreatedToken, TokenList } from '../openapi/responses.ts';

/** Token ids are UUIDs, like session ids; anything else is unknown without a query. */
function tokenIdParam(raw: string | undefined): string {
  const id = parseSessionId(raw);
  if (id === undefined) throw new AppError('not_found', 'No such token.');
  return id;
}

/**
 * /tokens (the caller's own, with a login session only: a PAT cannot mint or
 * manage tokens) and the admin's view of anyone's. Mounted before the admin
 * router, whose catch-all would otherwise answer /admin/tokens first.
 */
export function tokensRoutes(deps: { tokens: TokensService; auth: AuthMiddleware }): Router<TesseraState> {
  const { tokens, auth } = deps;
  const router = new Router<TesseraState>({ prefix: API_PREFIX });

  router.post('/tokens', auth.requireSession(), async (ctx) => {
    const body = parseInput(createTokenBody, ctx.request.body);
    const { user } = signedIn(ctx);
    const created = await tokens.create(user, body, originOf(ctx));
    preventCaching(ctx);
    ctx.status = 201;
    ctx.body = { ...presentToken(created.row), token: created.plaintext };
  });

  router.get('/tokens', auth.requireSession(), async (ctx) => {
    const rows = await tokens.listLiveTokens(Number(signedIn(ctx).user.id));
    preventCaching(ctx);
    ctx.body = { tokens: rows.map(presentToken) };
  });

  router.delete('/tokens/:id', auth.requireSession(), async (ctx) => {
    const userId = Number(signedIn(ctx).user.id);
    await tokens.revokeOwnToken(userId, tokenIdParam(ctx.params.id), originOf(ctx));
    ctx.status = 204;
  });

  router.get('/admin/users/:id/tokens', auth.requireAdmin(), async (ctx) => {
    const userId = parseNumericId(ctx.params.id);
    if (userId === undefined) throw new AppError('not_found', 'No such user.');
    preventCaching(ctx);
    ctx.body = { tokens: (await tokens.listUserTokens(userId)).map(presentToken) };
  });

  router.delete('/admin/tokens/:id', auth.requireAdmin(), async (ctx) => {
    await tokens.revokeTokenAsAdmin(tokenIdParam(ctx.params.id), originOf(ctx));
    ctx.status = 204;
  });

  return router;
}

/** The OpenAPI description of these routes (src/openapi/registry.ts). */
export const tokensOperations: readonly OperationSpec[] = [
  {
    method: 'post', path: `${API_PREFIX}/tokens`, tag: 'tokens', access: 'session',
    summary: 'Create a personal access token (the secret is in this answer only)',
    description: '`expires_in` defaults to `PAT_DEFAULT_TTL` and may not exceed `PAT_MAX_TTL`. The `admin` ability is for admins only (`403 forbidden`).',
    body: { schema: createTokenBody, required: true, example: { name: 'deploy bot', abilities: ['posts:write'], expires_in: 2592000 } },
    success: { status: 201, description: 'The token, with `token`.', schema: CreatedToken, noStore: true },
    errors: ['forbidden'],
  },
  {
    method: 'get', path: `${API_PREFIX}/tokens`, tag: 'tokens', access: 'session',
    summary: 'The caller\'s live tokens, newest first',
    success: { status: 200, description: 'The tokens, without secrets.', schema: TokenList, noStore: true },
  },
  {
    method: 'delete', path: `${API_PREFIX}/tokens/:id`, tag: 'tokens', access: 'session',
    summary: 'Revoke one of the caller\'s tokens',
    success: { status: 204, description: 'Revoked; `404` if not the caller\'s live token.' },
  },
  {
    method: 'get', path: `${API_PREFIX}/admin/users/:id/tokens`, tag: 'admin', access: 'admin',
    summary: 'A user\'s live tokens',
    success: { status: 200, description: 'The tokens, without secrets.', schema: TokenList, noStore: true },
  },
  {
    method: 'delete', path: `${API_PREFIX}/admin/tokens/:id`, tag: 'admin', access: 'admin',
    summary: 'Revoke anyone\'s token',
    success: { status: 204, description: 'Revoked.' },
  },
];
