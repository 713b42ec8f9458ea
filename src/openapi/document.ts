import { z } from 'zod';
import { errorComponents, errorResponses } from './errors.ts';
import type { Access, OperationSpec } from './operation.ts';
import { components } from './responses.ts';

const SCHEMA_REF = '#/components/schemas/';
type JsonObject = Record<string, unknown>;

/** JSON Schema for a request schema, as its caller sends it (before zod's transforms and defaults). */
function inputSchema(schema: z.ZodType): JsonObject {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-2020-12',
    // Refinements (control characters, lone surrogates) have no JSON Schema form; the handler still checks them.
    unrepresentable: 'any',
  }) as JsonObject;
  return json;
}

/** A `$ref` to a shape of responses.ts; every response shape is a named component. */
function refTo(schema: z.ZodType): JsonObject {
  const meta = components.get(schema);
  if (!meta) throw new Error('openapi: a response schema must be registered in src/openapi/responses.ts');
  return { $ref: `${SCHEMA_REF}${meta.id}` };
}

/** `/api/v1/posts/:id` → `/api/v1/posts/{id}` (OpenAPI path templating). */
export function openApiPath(routerPath: string): string {
  return routerPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function operationId(op: OperationSpec): string {
  const words = op.path
    .replace(/^\/api\/v1/, '')
    .split('/')
    .filter(Boolean)
    .map((part) => (part.startsWith(':') ? `by-${part.slice(1)}` : part))
    .flatMap((part) => part.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return op.method + words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
}

const SIGNED_IN = [{ bearerAuth: [] as string[] }, { cookieAuth: [] as string[] }];

function securityOf(access: Access, ability: string | undefined): JsonObject[] {
  switch (access) {
    case 'public':
      return [];
    case 'optional':
      return [{}, ...SIGNED_IN];
    case 'access':
      // OpenAPI 3.1 lets non-OAuth schemes list "role names": here, the PAT ability the route needs.
      return ability ? [{ bearerAuth: [ability] }, { cookieAuth: [] }] : SIGNED_IN;
    case 'session':
      return SIGNED_IN;
    case 'admin':
      return [{ bearerAuth: ['admin'] }, { cookieAuth: [] }];
    case 'client':
      return [{ clientBasic: [] }];
    case 'client-optional':
      return [{}, { clientBasic: [] }];
  }
}

function parametersOf(op: OperationSpec): JsonObject[] {
  const path = [...op.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    description: 'An id of any other shape, or out of range, is `404 not_found`.',
    schema: { type: 'string' },
  }));
  if (!op.query) return path;
  const query = inputSchema(op.query) as { properties?: Record<string, JsonObject>; required?: string[] };
  const fields = Object.entries(query.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: (query.required ?? []).includes(name),
    schema,
  }));
  return [...path, ...fields];
}

function requestBodyOf(op: OperationSpec): JsonObject | undefined {
  if (!op.body) return undefined;
  const schema = inputSchema(op.body.schema);
  const media = { schema, ...(op.body.example !== undefined ? { example: op.body.example } : {}) };
  return {
    required: op.body.required,
    content: {
      'application/json': media,
      ...(op.body.form ? { 'application/x-www-form-urlencoded': { schema } } : {}),
    },
  };
}

function successOf(op: OperationSpec): JsonObject {
  const { success } = op;
  const headers: JsonObject = { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } };
  if (success.noStore) headers['Cache-Control'] = { $ref: '#/components/headers/NoStore' };
  if (success.setsCookies) headers['Set-Cookie'] = { $ref: '#/components/headers/SessionCookies' };
  return {
    description: success.description,
    headers,
    ...(success.schema ? { content: { 'application/json': { schema: refTo(success.schema) } } } : {}),
  };
}

function operationObject(op: OperationSpec): JsonObject {
  const parameters = parametersOf(op);
  const requestBody = requestBodyOf(op);
  return {
    operationId: operationId(op),
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    security: securityOf(op.access, op.ability),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: {
      [String(op.success.status)]: successOf(op),
      ...errorResponses(op, op.unavailableBody ? refTo(op.unavailableBody).$ref as string : undefined),
    },
  };
}

const DESCRIPTION = [
  'Opaque-token session authentication: per-device sessions, instant revocation, personal access tokens,',
  'service clients (RFC 7662 introspection, RFC 7009 revocation) and browser sessions in HttpOnly cookies.',
  'Every error is `{"error", "message"}` (plus `details` for `validation_failed`); every response carries',
  '`X-Request-Id`. The reference for humans is docs/api.md in the repository.',
].join(' ');

/**
 * The OpenAPI 3.1 document of `operations`. Pure: the same operations give
 * the same document, so the server builds it once at start-up and
 * `npm run docs:openapi` writes the very same one to docs/openapi.json.
 */
export function buildOpenApiDocument(operations: readonly OperationSpec[]): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const op of operations) {
    const path = openApiPath(op.path);
    paths[path] = { ...paths[path], [op.method]: operationObject(op) };
  }
  const { schemas } = z.toJSONSchema(components, {
    target: 'draft-2020-12',
    uri: (id) => `${SCHEMA_REF}${id}`,
  }) as { schemas: Record<string, JsonObject> };
  // The `$ref`s name components by their place in this document; a fragment `$id` is not allowed in 2020-12.
  for (const schema of Object.values(schemas)) {
    delete schema.$schema;
    delete schema.$id;
  }
  return {
    openapi: '3.1.1',
    info: { title: 'Tessera HTTP API', version: '1.0.0', description: DESCRIPTION, license: { name: 'MIT', identifier: 'MIT' } },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    servers: [{ url: '/', description: 'This server: API paths are under /api/v1, the probes at the root.' }],
    tags: [...new Set(operations.map((op) => op.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas,
      examples: errorComponents.examples,
      headers: {
        ...errorComponents.headers,
        'X-Request-Id': {
          description: 'The request id: an incoming id of up to 128 plain characters is kept, anything else replaced by a UUID.',
          required: true,
          schema: { type: 'string', minLength: 1, maxLength: 128 },
        },
        NoStore: {
          description: 'Tokens and personal data are never cached (RFC 6749 §5.1).',
          required: true,
          schema: { type: 'string', pattern: '(^|,\\s*)no-store(\\s*,|$)' },
        },
        SessionCookies: {
          description:
            'With `use_cookies` (or a refresh by cookie): `__Host-tsr_at` (access; HttpOnly; Secure; SameSite=Lax; Path=/) and `__Secure-tsr_rt` (refresh; HttpOnly; Secure; SameSite=Strict; Path=/api/v1/refresh), each with Max-Age = its lifetime. `COOKIE_SECURE=false` drops Secure and the prefixes.',
          schema: { type: 'string', pattern: '^(__Host-|__Secure-)?tsr_(at|rt)=' },
        },
      },
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A session access token (`tsr_at_…`, holds every ability) or a personal access token (`tsr_pat_…`, holds the abilities it was created with). Never in the query string.',
        },
        cookieAuth: {
          type: 'apiKey',
          in: 'cookie',
          name: '__Host-tsr_at',
          description:
            'Browser sessions: the access cookie set by `POST /login` with `use_cookies` (`tsr_at` with `COOKIE_SECURE=false`). Used only when no `Authorization` header is sent; unsafe methods need an allowed `Origin` (else `403 csrf_failed`).',
        },
        clientBasic: {
          type: 'http',
          scheme: 'basic',
          description: 'A service client: `client_id:client_secret` (RFC 6749 §2.3.1), created by an admin at `POST /admin/clients`.',
        },
      },
    },
  };
}
