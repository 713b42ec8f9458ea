import { API_PREFIX } from '../http/api-prefix.ts';
import { ERRORS, type ErrorCode } from '../errors/codes.ts';
import type { OperationSpec } from './operation.ts';

/** RFC 6750 §3 (bearer) and RFC 6749 §2.3.1 (service clients, HTTP Basic): the challenge every 401 carries. */
const BEARER_CHALLENGE = '^Bearer realm="tessera"';
const BASIC_CHALLENGE = '^Basic realm="tessera"';
const BEARER_ERRORS: readonly ErrorCode[] = ['token_missing', 'token_invalid', 'token_expired', 'token_revoked'];
const UNSAFE = new Set(['post', 'put', 'patch', 'delete']);

/**
 * Every error code `op` can answer: its own (`op.errors`) and those its
 * access, body, parameters and the pipeline imply (API.md, "Errors"). The
 * pipeline's are the same for every route, so they are worked out here once
 * rather than repeated next to each handler.
 */
export function errorCodesOf(op: OperationSpec): ErrorCode[] {
  const codes = new Set<ErrorCode>(op.errors ?? []);
  const add = (...more: readonly ErrorCode[]) => more.forEach((code) => codes.add(code));
  if (op.body) add('invalid_json', 'payload_too_large', 'unsupported_media_type');
  // The OAuth endpoints (form bodies) answer RFC 6749 §5.2's `invalid_request` instead.
  if (op.body && !op.body.form) add('validation_failed');
  if (op.query) add('validation_failed');
  if (op.path.includes(':')) add('not_found');
  switch (op.access) {
    case 'optional':
      add('token_invalid', 'token_expired', 'token_revoked');
      break;
    case 'access':
      add(...BEARER_ERRORS);
      if (op.ability) add('insufficient_scope');
      break;
    case 'session':
      add(...BEARER_ERRORS, 'insufficient_scope');
      break;
    case 'admin':
      add(...BEARER_ERRORS, 'forbidden', 'insufficient_scope');
      break;
    case 'client':
    case 'client-optional':
      add('invalid_client');
      break;
    case 'public':
      break;
  }
  // The pipeline's CSRF check refuses any unsafe request that carries a session cookie from a foreign origin.
  if (UNSAFE.has(op.method) && op.path.startsWith(API_PREFIX)) add('csrf_failed');
  // Every API route is under the global per-IP limit; the probes are not.
  if (op.path.startsWith(API_PREFIX)) add('rate_limited');
  if (!op.noDatabase) add('service_unavailable');
  add('internal_error');
  return [...codes];
}

/** An example body for `code`, as the error middleware writes it. */
function exampleOf(code: ErrorCode, oauth: boolean): Record<string, unknown> {
  const message: string = ERRORS[code].message;
  return {
    error: code,
    message,
    ...(code === 'validation_failed' ? { details: [{ field: 'username', message: 'is required' }] } : {}),
    ...(oauth ? { error_description: message } : {}),
  };
}

/** Shared by many responses: `components.headers` and `components.examples` of the document. */
export const errorComponents = {
  headers: {
    BearerChallenge: {
      description: 'The challenge (RFC 7235); token errors add `error="invalid_token"` and `error_description` (RFC 6750 §3).',
      required: true,
      schema: { type: 'string', pattern: BEARER_CHALLENGE },
    },
    BasicChallenge: {
      description: 'Service-client authentication failed (RFC 6749 §2.3.1).',
      required: true,
      schema: { type: 'string', pattern: BASIC_CHALLENGE },
    },
    ScopeChallenge: {
      description: 'On `insufficient_scope` only: `Bearer realm="tessera", error="insufficient_scope"`, with `scope="<ability>"` when an ability is missing.',
      schema: { type: 'string', pattern: BEARER_CHALLENGE },
    },
    RetryAfter: {
      description: 'Whole seconds to wait before trying again.',
      required: true,
      schema: { type: 'string', pattern: '^[1-9][0-9]*$' },
    },
  },
  examples: Object.fromEntries(
    (Object.keys(ERRORS) as ErrorCode[]).flatMap((code) => [
      [code, { value: exampleOf(code, false) }],
      [`oauth_${code}`, { value: exampleOf(code, true) }],
    ]),
  ),
};

function headersFor(status: number, op: OperationSpec): Record<string, unknown> {
  const ref = (name: string) => ({ $ref: `#/components/headers/${name}` });
  const headers: Record<string, unknown> = { 'X-Request-Id': ref('X-Request-Id') };
  const basic = op.access === 'client' || op.access === 'client-optional';
  if (status === 401) headers['WWW-Authenticate'] = ref(basic ? 'BasicChallenge' : 'BearerChallenge');
  if (status === 403) headers['WWW-Authenticate'] = ref('ScopeChallenge');
  if (status === 429 || status === 503) headers['Retry-After'] = ref('RetryAfter');
  return headers;
}

/** The OpenAPI `responses` entries of `op`'s errors, one per status, each with an example per code. */
export function errorResponses(op: OperationSpec, unavailableRef: string | undefined): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(op)) {
    const status = ERRORS[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const oauth = op.path.startsWith(`${API_PREFIX}/oauth/`);
  const responses: Record<string, unknown> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const shape =
      status === 503 && unavailableRef
        ? { $ref: unavailableRef }
        : { allOf: [{ $ref: '#/components/schemas/Error' }, { properties: { error: { enum: codes } } }] };
    responses[String(status)] = {
      description: codes.map((code) => `\`${code}\``).join(', '),
      headers: headersFor(status, op),
      content: {
        'application/json': {
          schema: shape,
          examples: Object.fromEntries(
            codes.map((code) => {
              // GET /readyz's 503 says which dependency is down.
              if (status === 503 && unavailableRef) {
                return [code, { value: { ...exampleOf(code, false), database: 'down', redis: 'off' } }];
              }
              return [code, { $ref: `#/components/examples/${oauth ? 'oauth_' : ''}${code}` }];
            }),
          ),
        },
      },
    };
  }
  return responses;
}
