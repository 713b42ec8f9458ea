import type { AuditRow } from './repository.ts';

/** The contract's *Audit event*. */
export function presentAuditEvent(row: AuditRow) {
  return {
    id: String(row.id),
    at: row.at,
    type: row.type,
    user_id: row.user_id === null ? null : String(row.user_id),
    actor_id: row.actor_id === null ? null : String(row.actor_id),
    session_id: row.session_id,
    ip: row.ip,
    user_agent: row.user_agent,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as Record<string, unknown>),
  };
}
