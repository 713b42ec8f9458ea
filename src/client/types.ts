/**
 * The request and response shapes of the HTTP contract (API.md, version 1),
 * as the client sees them. Field names are the wire names (snake_case), so
 * what you read here is what the server sends.
 */

/** *User*. Never a password hash. */
export interface User {
  id: string;
  username: string;
  email: string | null;
  is_admin: boolean;
  disabled: boolean;
  created_at: string;
}

/** *Session*: one device. `current` marks the device making the request. */
export interface Session {
  id: string;
  device_name: string | null;
  user_agent: string | null;
  ip: string | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string;
  current: boolean;
}

/** `GET /me`: the user plus the current device (`null` with a personal access token). */
export interface Me extends User {
  session: Session | null;
  /** Set when the request was made with a personal access token. */
  token?: { id: string; name: string; abilities: string[]; expires_at: string } | null;
}

/** *Token pair*, as `POST /login` and `POST /refresh` answer in bearer mode. */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_expires_in: number;
  session_id: string;
}

/** `POST /login` with `use_cookies: true` (and `POST /refresh` by cookie): no token strings. */
export interface CookieSession {
  session_id: string;
  expires_in: number;
  refresh_expires_in: number;
  token_type: 'cookie';
}

/** A page of a list: `{items, total, offset, limit}`. */
export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

export interface PageQuery {
  offset?: number;
  limit?: number;
}

export interface RegisterInput {
  username: string;
  password: string;
  email?: string;
}

/** Log in by `username` or by `email`. */
export type LoginInput = ({ username: string; email?: never } | { email: string; username?: never }) & {
  password: string;
  device_name?: string;
};

export interface ChangePasswordInput {
  current_password: string;
  new_password: string;
  /** Also revoke every personal access token. */
  revoke_tokens?: boolean;
}

export interface ChangePasswordResult {
  message: string;
  revoked: number;
}

/** *Audit event*. */
export interface AuditEvent {
  id: string;
  at: string;
  type: string;
  user_id: string | null;
  actor_id: string | null;
  session_id: string | null;
  ip: string | null;
  user_agent: string | null;
  detail: Record<string, unknown> | null;
}

export interface AuditQuery extends PageQuery {
  type?: string;
}

export interface AdminAuditQuery extends AuditQuery {
  user_id?: string;
}

/** *Post*. */
export interface Post {
  id: string;
  title: string;
  content: string;
  user_id: string;
  created_at: string;
  updated_at: string;
}

export interface PostsQuery extends PageQuery {
  user_id?: string;
}

export interface PostInput {
  title: string;
  content: string;
}

/** *Token*: a personal access token, without its secret. */
export interface PersonalAccessToken {
  id: string;
  name: string;
  abilities: string[];
  created_at: string;
  last_used_at: string | null;
  expires_at: string;
}

/** The 201 of `POST /tokens`: the only time the secret (`token`, `tsr_pat_…`) is shown. */
export interface CreatedPersonalAccessToken extends PersonalAccessToken {
  token: string;
}

export interface CreateTokenInput {
  name: string;
  abilities: string[];
  /** Seconds, at least 60; defaults to the server's PAT_DEFAULT_TTL. */
  expires_in?: number;
}

export interface AdminUsersQuery extends PageQuery {
  q?: string;
}

export interface UpdateUserInput {
  disabled?: boolean;
  is_admin?: boolean;
}

/** A service client, as listed. */
export interface ServiceClient {
  id: string;
  name: string;
  client_id: string;
  created_at: string;
  last_used_at: string | null;
}

/** The 201 of `POST /admin/clients`: the only time `client_secret` (`tsr_cs_…`) is shown. */
export interface CreatedServiceClient {
  id: string;
  name: string;
  client_id: string;
  client_secret: string;
  created_at: string;
}

export type TokenTypeHint = 'access_token' | 'refresh_token' | 'personal_access_token';

/** RFC 7662 answer of `POST /oauth/introspect`. */
export type Introspection =
  | { active: false }
  | {
      active: true;
      token_type: 'Bearer';
      token_kind: TokenTypeHint;
      /** Space-separated abilities; `*` for session tokens. */
      scope: string;
      sub: string;
      username: string;
      is_admin: boolean;
      exp: number;
      iat: number;
      sid: string;
    };

/** HTTP Basic credentials of a service client (`POST /admin/clients`). */
export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}
