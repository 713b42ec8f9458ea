import Router from '@koa/router';
import type { Middleware } from 'koa';
import type { AuthMiddleware } from '../auth/middleware.ts';
import type { TesseraState } from '../auth/state.ts';
import { AppError } from '../errors/app-error.ts';
import { API_PREFIX } from '../http/api-prefix.ts';
import { handOverOf } from '../http/hand-over.ts';
import { parseSessionId } from '../http/ids.ts';
import { preventCaching } from '../http/no-store.ts';
import { originOf } from '../http/origin.ts';
import { parseInput } from '../http/validate.ts';
import type { RateLimits } from '../rate-limit/policies.ts';
import { readBasicCredentials } from './basic-auth.ts';
import { invalidClient, type ClientAuthenticator } from './client-auth.ts';
import type { Introspect } from './introspection.ts';
import { createClientBody, tokenParameterIn, tokenRequestBody } from './schemas.ts';
import type { OperationSpec } from '../openapi/operation.ts';
import { ClientList, CreatedClient, Empty, Introspection } from '../openapi/responses.ts';
import type { OAuthService } from './service.ts';
import { readTokenRequestBody } from './token-request-body.ts';
import type { ClientRow } from './repository.ts';

/**
 * The two paths whose bodies may be form-encoded (RFC 7662 §2.1, RFC 7009
 * §2.1): the global JSON parser leaves them to this router (json-body.ts).
 */
export const OAUTH_FORM_PATHS: ReadonlySet<string> = new Set([
  `${API_PREFIX}/oauth/introspect`,
  `${API_PREFIX}/oauth/revoke`,
]);

/** RFC 6749 §5.2: errors here also carry `error_description` (the same text as `message`). */
const withErrorDescription: Middleware<TesseraState> = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    ctx.status = error.status;
    ctx.set(error.headers);
    if (error.status === 401 && !ctx.response.get('WWW-Authenticate')) ctx.set('WWW-Authenticate', 'Basic realm="tessera"');
    ctx.body = { error: error.code, message: error.message, error_description: error.message };
  }
};

/** The `token` parameter, or 400 invalid_request (RFC 6749 §5.2). */
function tokenParameter(body: unknown): string {
  const token = tokenParameterIn(body);
  if (token === undefined) throw new AppError('invalid_request', 'The request needs a "token" parameter (a string).');
  return token;
}

function presentClient(row: ClientRow) {
  return { id: row.id, name: row.name, client_id: row.client_id, created_at: row.created_at, last_used_at: row.last_used_at };
}

/** Service clients (admin) and the RFC 7662 / RFC 7009 endpoints for other services. */
export function oauthRoutes(deps: {
  oauth: OAuthService;
  introspect: Introspect;
  clientAuth: ClientAuthenticator;
  auth: AuthMiddleware;
  limits: Pick<RateLimits, 'introspect' | 'revoke' | 'clientAuthFailures'>;
}): Router<TesseraState> {
  const { oauth, introspect, clientAuth, auth, limits } = deps;
  const router = new Router<TesseraState>({ prefix: API_PREFIX });
  const adminOnly = auth.requireAdmin();

  router.post('/admin/clients', adminOnly, async (ctx) => {
    const body = parseInput(createClientBody, ctx.request.body);
    const { row, secret } = await oauth.createClient(body.name, originOf(ctx));
    preventCaching(ctx);
    ctx.status = 201;
    ctx.body = { id: row.id, name: row.name, client_id: row.client_id, client_secret: secret, created_at: row.created_at };
  });

  router.get('/admin/clients', adminOnly, async (ctx) => {
    preventCaching(ctx);
    ctx.body = { clients: (await oauth.listClients()).map(presentClient) };
  });

  router.delete('/admin/clients/:id', adminOnly, async (ctx) => {
    const id = parseSessionId(ctx.params.id);
    if (id === undefined) throw new AppError('not_found', 'No such client.');
    await oauth.deleteClient(id, originOf(ctx));
    ctx.status = 204;
  });

  // RFC 7662 §2.1: the caller must authenticate; §2.2: always 200 for a well-formed request.
  // The client is authenticated before it is counted: a client id is no secret, so counting by the
  // claimed id would let anyone spend a real client's budget. Failures are counted per IP instead.
  const authenticatedClient: Middleware<TesseraState> = async (ctx, next) => {
    try {
      const client = await clientAuth.authenticate(ctx.req.headers.authorization);
      ctx.state.client = { client_id: client.client_id }; // not the row: it holds the secret's hash
    } catch (error) {
      await limits.clientAuthFailures(ctx, async () => {});
      throw error;
    }
    await next();
  };
  router.post('/oauth/introspect', withErrorDescription, authenticatedClient, limits.introspect, readTokenRequestBody, async (ctx) => {
    const token = tokenParameter(ctx.request.body);
    preventCaching(ctx);
    ctx.type = 'application/json';
    const failedInTheLane = handOverOf(ctx.req)?.introspectionFailure;
    if (failedInTheLane !== undefined) throw failedInTheLane;
    ctx.body = await introspect(token);
  });

  // RFC 7009 §2.1: holding the token is the proof; credentials, when sent, must be good.
  router.post('/oauth/revoke', withErrorDescription, limits.revoke, readTokenRequestBody, async (ctx) => {
    const credentials = readBasicCredentials(ctx.get('Authorization'));
    if (credentials.kind === 'malformed') throw invalidClient();
    if (credentials.kind === 'credentials') await clientAuth.authenticate(ctx.req.headers.authorization);
    const token = tokenParameter(ctx.request.body);
    await oauth.revoke(token, originOf(ctx));
    // §2.2: 200 whether or not the token was known, so the answer reveals nothing.
    preventCaching(ctx);
    ctx.body = {};
  });

  return router;
}

/** The OpenAPI description of these routes (src/openapi/registry.ts). */
export const oauthOperations: readonly OperationSpec[] = [
  {
    method: 'post', path: `${API_PREFIX}/admin/clients`, tag: 'admin', access: 'admin',
    summary: 'Register a service client (the secret is in this answer only)',
    body: { schema: createClientBody, required: true, example: { name: 'reports' } },
    success: { status: 201, description: 'The client, with `client_secret`.', schema: CreatedClient, noStore: true },
  },
  {
    method: 'get', path: `${API_PREFIX}/admin/clients`, tag: 'admin', access: 'admin',
    summary: 'The service clients',
    success: { status: 200, description: 'The clients, without secrets.', schema: ClientList, noStore: true },
  },
  {
    method: 'delete', path: `${API_PREFIX}/admin/clients/:id`, tag: 'admin', access: 'admin',
    summary: 'Delete a service client: its credentials stop working at once',
    success: { status: 204, description: 'Deleted.' },
  },
  {
    method: 'post', path: `${API_PREFIX}/oauth/introspect`, tag: 'oauth', access: 'client',
    summary: 'RFC 7662 token introspection, for service clients',
    description: 'Always 200 for a well-formed request from a good client: `{"active": false}` and nothing else for any token not usable now. Errors carry `error_description` (RFC 6749 §5.2).',
    body: { schema: tokenRequestBody, required: true, form: true, example: { token: 'tsr_at_1…', token_type_hint: 'access_token' } },
    success: { status: 200, description: 'The token\'s state.', schema: Introspection, noStore: true },
    errors: ['invalid_request'],
  },
  {
    method: 'post', path: `${API_PREFIX}/oauth/revoke`, tag: 'oauth', access: 'client-optional',
    summary: 'RFC 7009 token revocation: holding the token is the proof',
    description: 'An access or refresh token ends its whole session, a PAT ends that PAT. The same `200 {}` whether or not the token was known. Basic credentials are optional, but sent ones must be good.',
    body: { schema: tokenRequestBody, required: true, form: true, example: { token: 'tsr_rt_1…' } },
    success: { status: 200, description: 'Done (or nothing to do).', schema: Empty, noStore: true },
    errors: ['invalid_request'],
  },
];
