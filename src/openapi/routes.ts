import Router from '@koa/router';
import type { TesseraState } from '../auth/state.ts';
import { API_PREFIX } from '../http/api-prefix.ts';
import { buildOpenApiDocument } from './document.ts';
import type { OperationSpec } from './operation.ts';
import { OpenApiDocument } from './responses.ts';

/**
 * GET /api/v1/openapi.json: the OpenAPI 3.1 document of `operations`, no
 * auth. Built and serialised once, when the router is made (start-up), so a
 * request costs nothing but the write.
 */
export function openapiRoutes(operations: readonly OperationSpec[]): Router<TesseraState> {
  const json = serialised(operations);
  const router = new Router<TesseraState>({ prefix: API_PREFIX });
  router.get('/openapi.json', (ctx) => {
    ctx.type = 'application/json';
    ctx.body = json;
  });
  return router;
}

/**
 * The document depends on the operations alone, never on configuration, so
 * one process builds it once however many apps it makes (tests make many).
 */
const built = new WeakMap<readonly OperationSpec[], string>();
function serialised(operations: readonly OperationSpec[]): string {
  let json = built.get(operations);
  if (json === undefined) {
    json = JSON.stringify(buildOpenApiDocument(operations));
    built.set(operations, json);
  }
  return json;
}

export const openApiOperations: readonly OperationSpec[] = [
  {
    method: 'get',
    path: `${API_PREFIX}/openapi.json`,
    summary: 'This document: the OpenAPI 3.1 description of the API',
    tag: 'meta',
    access: 'public',
    noDatabase: true,
    success: { status: 200, description: 'The OpenAPI document.', schema: OpenApiDocument },
  },
];
