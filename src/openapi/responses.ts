import { z } from 'zod';
import { AUDIT_EVENT_TYPES } from '../audit/events.ts';

/**
 * The response shapes of the contract (API.md), written once as zod schemas.
 * They are the OpenAPI document's `components.schemas` (each registered here
 * under its name), and test/openapi/conformance.test.ts validates every real
 * response against them, so a presenter that drifts from its shape fails a
 * test instead of silently changing the document. `.strict()` objects:
 * a field the contract does not name is drift too.
 */
export const components = z.registry<{ id: string; description?: string }>();

function named<Schema extends z.ZodType>(id: string, schema: Schema, description?: string): Schema {
  components.add(schema, { id, ...(description ? { description } : {}) });
  return schema;
}

const isoTime = z.iso.datetime({ offset: false });
const idString = z.string().regex(/^\d+$/);
const uuid = z.uuid();

export const User = named(
  'User',
  z
    .object({
      id: idString,
      username: z.string(),
      email: z.string().nullable(),
      is_admin: z.boolean(),
      disabled: z.boolean(),
      created_at: isoTime,
    })
    .strict()
    .meta({
      examples: [
        { id: '1', username: 'alice', email: 'alice@example.com', is_admin: false, disabled: false, created_at: '2026-01-01T00:00:00.000Z' },
      ],
    }),
  'A user. Never a password hash.',
);

export const TokenPair = named(
  'TokenPair',
  z
    .object({
      access_token: z.string().regex(/^tsr_at_/),
      refresh_token: z.string().regex(/^tsr_rt_/),
      token_type: z.literal('Bearer'),
      expires_in: z.int().min(0),
      refresh_expires_in: z.int().min(0),
      session_id: uuid,
    })
    .strict(),
  'An access and a refresh token (opaque strings), their lifetimes in seconds, and the session they belong to.',
);

export const CookieSession = named(
  'CookieSession',
  z
    .object({
      session_id: uuid,
      expires_in: z.int().min(0),
      refresh_expires_in: z.int().min(0),
      token_type: z.literal('cookie'),
    })
    .strict(),
  'A login or refresh with cookies: the tokens are in the HttpOnly cookies set with this answer, never in the body.',
);

export const Session = named(
  'Session',
  z
    .object({
      id: uuid,
      device_name: z.string().nullable(),
      user_agent: z.string().nullable(),
      ip: z.string().nullable(),
      created_at: isoTime,
      last_used_at: isoTime.nullable(),
      expires_at: isoTime,
      current: z.boolean(),
    })
    .strict(),
  'One logged-in device.',
);

export const TokenInUse = named(
  'TokenInUse',
  z.object({ id: uuid, name: z.string(), abilities: z.array(z.string()), expires_at: isoTime }).strict(),
  'The personal access token a GET /me was made with.',
);

export const MeWithSession = named(
  'MeWithSession',
  User.extend({ session: Session }).strict(),
  'GET /me with a session token: the user and the current device.',
);

export const MeWithToken = named(
  'MeWithToken',
  User.extend({ session: z.null(), token: TokenInUse }).strict(),
  'GET /me with a personal access token: the user, no session, and the token.',
);

export const Me = named('Me', z.union([MeWithSession, MeWithToken]));

export const LoginResult = named(
  'LoginResult',
  z.union([TokenPair, CookieSession]),
  'The token pair, or its cookie form when the request asked for cookies (`use_cookies`, or a refresh by cookie).',
);

export const SessionList = named('SessionList', z.object({ sessions: z.array(Session) }).strict());

export const Post = named(
  'Post',
  z
    .object({
      id: idString,
      title: z.string(),
      content: z.string(),
      user_id: idString,
      created_at: isoTime,
      updated_at: isoTime,
    })
    .strict(),
);

export const AuditEvent = named(
  'AuditEvent',
  z
    .object({
      id: idString,
      at: isoTime,
      type: z.enum(AUDIT_EVENT_TYPES),
      user_id: idString.nullable(),
      actor_id: idString.nullable(),
      session_id: uuid.nullable(),
      ip: z.string().nullable(),
      user_agent: z.string().nullable(),
      detail: z.record(z.string(), z.unknown()).nullable(),
    })
    .strict(),
  'Something that happened to an account. Never a token or a password.',
);

/** The contract's list shape: `{items, total, offset, limit}`. */
function pageOf(item: z.ZodType) {
  return z
    .object({ items: z.array(item), total: z.int().min(0), offset: z.int().min(0), limit: z.int().min(1) })
    .strict();
}

export const UserPage = named('UserPage', pageOf(User));
export const PostPage = named('PostPage', pageOf(Post));
export const AuditPage = named('AuditPage', pageOf(AuditEvent));

export const Token = named(
  'Token',
  z
    .object({
      id: uuid,
      name: z.string(),
      abilities: z.array(z.string()),
      created_at: isoTime,
      last_used_at: isoTime.nullable(),
      expires_at: isoTime,
    })
    .strict(),
  'A personal access token, without its secret.',
);

export const CreatedToken = named(
  'CreatedToken',
  Token.extend({ token: z.string().regex(/^tsr_pat_/) }).strict(),
  'A new personal access token; `token` is the secret, shown this once.',
);

export const TokenList = named('TokenList', z.object({ tokens: z.array(Token) }).strict());

export const Client = named(
  'Client',
  z
    .object({ id: uuid, name: z.string(), client_id: z.string(), created_at: isoTime, last_used_at: isoTime.nullable() })
    .strict(),
  'A service client, without its secret.',
);

export const CreatedClient = named(
  'CreatedClient',
  z
    .object({
      id: uuid,
      name: z.string(),
      client_id: z.string(),
      client_secret: z.string().regex(/^tsr_cs_/),
      created_at: isoTime,
    })
    .strict(),
  'A new service client; `client_secret` is shown this once.',
);

export const ClientList = named('ClientList', z.object({ clients: z.array(Client) }).strict());

export const Introspection = named(
  'Introspection',
  z.union([
    z.object({ active: z.literal(false) }).strict(),
    z
      .object({
        active: z.literal(true),
        token_type: z.literal('Bearer'),
        token_kind: z.enum(['access_token', 'refresh_token', 'personal_access_token']),
        scope: z.string(),
        sub: idString,
        username: z.string(),
        is_admin: z.boolean(),
        exp: z.int(),
        iat: z.int(),
        sid: uuid,
      })
      .strict(),
  ]),
  'RFC 7662 §2.2: `{"active": false}` and nothing else for any token not usable now.',
);

export const Message = named('Message', z.object({ message: z.string() }).strict());
export const Revoked = named('Revoked', z.object({ revoked: z.int().min(0) }).strict());
export const PasswordChanged = named(
  'PasswordChanged',
  z.object({ message: z.string(), revoked: z.int().min(0) }).strict(),
  '`revoked` counts the other sessions ended.',
);
export const Empty = named('Empty', z.object({}).strict(), 'RFC 7009 §2.2: the same empty answer whether or not the token was known.');

export const Health = named('Health', z.object({ status: z.literal('ok') }).strict());
export const Readiness = named(
  'Readiness',
  z
    .object({
      status: z.enum(['ready', 'degraded']),
      database: z.literal('up'),
      redis: z.enum(['up', 'down', 'off']),
    })
    .strict(),
);

/** The error shape of every error answer (API.md, "Errors"). */
export const ErrorBody = named(
  'Error',
  z
    .object({
      error: z.string(),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), message: z.string() }).strict()).optional(),
      // RFC 6749 §5.2, on /oauth/introspect and /oauth/revoke only.
      error_description: z.string().optional(),
    })
    .strict(),
);

export const NotReady = named(
  'NotReady',
  z
    .object({
      error: z.literal('service_unavailable'),
      message: z.string(),
      database: z.enum(['up', 'down']),
      redis: z.enum(['up', 'down', 'off']),
    })
    .strict(),
  'GET /readyz when the database is unreachable or the instance is shutting down.',
);

/** The OpenAPI document itself (GET /api/v1/openapi.json): only its outline is promised here. */
export const OpenApiDocument = named(
  'OpenApiDocument',
  z.looseObject({ openapi: z.string().regex(/^3\.1\.\d+$/), info: z.looseObject({}), paths: z.looseObject({}) }),
);
