import type { ClientInfo } from '../http/client-info.ts';

/** Every audit event type Tessera writes (API.md lists the first twelve). */
export const AUDIT_EVENT_TYPES = [
  'user_registered',
  'login_succeeded',
  'login_failed',
  'token_refreshed',
  'refresh_token_reused',
  'logged_out',
  'logged_out_all',
  'session_revoked',
  'password_changed',
  'user_disabled',
  'user_enabled',
  'rate_limited',
  'admin_granted',
  'admin_revoked',
  'token_created',
  'token_revoked',
  'client_created',
  'client_deleted',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** One thing that happened. Never put a token or a password in `detail`. */
export interface AuditEvent {
  readonly type: AuditEventType;
  /** The account the event is about. */
  readonly userId?: number | string | null;
  /** Who did it, when not the user themselves (an admin); null for the CLI. */
  readonly actorId?: number | string | null;
  readonly sessionId?: string | null;
  readonly detail?: Readonly<Record<string, string | number | boolean | null>>;
}

/**
 * Where a change came from: the HTTP client (IP, user agent) and the
 * authenticated actor, if any. Services take it so that the code path that
 * causes an event is the one that records it.
 */
export interface Origin extends ClientInfo {
  readonly actorId: number | null;
}

/** The origin of changes made from the command line. */
export const CLI_ORIGIN: Origin = Object.freeze({ ip: null, userAgent: 'tessera-cli', actorId: null });
