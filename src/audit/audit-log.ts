import type { Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import type { AuditEvent, Origin } from './events.ts';
import { insertAuditEvent } from './repository.ts';

export type AuditLog = ReturnType<typeof createAuditLog>;

/** Writes audit events; pass a transaction as `db` to commit an event with its change. */
export function createAuditLog(deps: { db: Db; clock: Clock }) {
  return {
    async record(event: AuditEvent, origin: Origin, db: Db = deps.db): Promise<void> {
      await insertAuditEvent(db, {
        at: deps.clock().toISOString(),
        type: event.type,
        user_id: toId(event.userId),
        actor_id: toId(event.actorId ?? origin.actorId),
        session_id: event.sessionId ?? null,
        ip: origin.ip,
        user_agent: origin.userAgent,
        detail: event.detail ? JSON.stringify(event.detail) : null,
      });
    },
  };
}

function toId(id: number | string | null | undefined): number | null {
  return id === undefined || id === null ? null : Number(id);
}
