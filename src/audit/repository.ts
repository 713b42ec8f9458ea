import type { Db } from '../db/connection.ts';
import { paginate, type Page } from '../db/paginate.ts';

export interface AuditRow {
  id: number;
  at: string;
  type: string;
  user_id: number | null;
  actor_id: number | null;
  session_id: string | null;
  ip: string | null;
  user_agent: string | null;
  detail: string | null;
}

export async function insertAuditEvent(db: Db, row: Omit<AuditRow, 'id'>): Promise<void> {
  await db('audit_events').insert(row);
}

/** Inserts an event and returns its id, for a summary that is updated later. */
export async function insertAuditEventReturningId(db: Db, row: Omit<AuditRow, 'id'>): Promise<number> {
  const [inserted] = await db('audit_events').insert(row).returning('id');
  const id = typeof inserted === 'object' && inserted !== null ? (inserted as { id: number }).id : inserted;
  return Number(id);
}

export async function updateAuditDetail(db: Db, id: number, detail: string): Promise<void> {
  await db('audit_events').where({ id }).update({ detail });
}

export interface AuditFilter {
  userId?: number;
  type?: string;
}

/** A page of events, newest first, and how many match in all. */
export async function listAuditEvents(
  db: Db,
  filter: AuditFilter,
  page: Page,
): Promise<{ rows: AuditRow[]; total: number }> {
  const matching = () => {
    const query = db<AuditRow>('audit_events');
    if (filter.userId !== undefined) query.where({ user_id: filter.userId });
    if (filter.type !== undefined) query.where({ type: filter.type });
    return query;
  };
  return paginate(matching, { column: 'id', direction: 'desc' }, page);
}

export function findAuditIdsBefore(db: Db, cutoff: string, limit: number): Promise<number[]> {
  return db('audit_events').where('at', '<', cutoff).orderBy('id').limit(limit).pluck('id');
}

export function deleteAuditEvents(db: Db, ids: number[]): Promise<number> {
  return db('audit_events').whereIn('id', ids).delete();
}
