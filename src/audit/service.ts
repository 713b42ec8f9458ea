import type { Db } from '../db/connection.ts';
import { page } from '../http/pagination.ts';
import { presentAuditEvent } from './present.ts';
import { listAuditEvents, type AuditFilter } from './repository.ts';

export type AuditService = ReturnType<typeof createAuditService>;

/** Reading the audit trail, as a contract list (`{items, total, offset, limit}`). */
export function createAuditService(deps: { db: Db }) {
  return {
    async list(filter: AuditFilter, query: { offset: number; limit: number }) {
      const { rows, total } = await listAuditEvents(deps.db, filter, query);
      return page(rows.map(presentAuditEvent), total, query);
    },
  };
}
