import type { Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import type { Logger } from '../logger.ts';
import { BoundedMap } from '../rate-limit/bounded-map.ts';
import type { Origin } from './events.ts';
import { insertAuditEventReturningId, updateAuditDetail } from './repository.ts';

/** One refused request: which limit refused it, and whom it counted. */
export interface Refusal {
  /** The limit's name, stored in the event (`detail.limit`). */
  readonly limit: string;
  /** What the limit counts under (an IP, an account and address); never stored. */
  readonly key: string;
  /** How long one summary event collects refusals. */
  readonly windowSeconds: number;
  /** The existing account the refusal is about, if any. */
  readonly userId?: number | null;
}

export type RefusalAudit = ReturnType<typeof createRefusalAudit>;

interface Summary {
  readonly endsAtMs: number;
  /** The event's id once written; undefined if the write failed. */
  readonly id: Promise<number | undefined>;
  readonly limit: string;
  count: number;
  flushScheduled: boolean;
}

/** Open summaries one instance remembers; the oldest are forgotten first. */
const CAPACITY = 10_000;
/** How often a summary's count is written back while refusals keep coming. */
const FLUSH_INTERVAL_MS = 1_000;

/**
 * Writes refused requests to the audit trail as summaries: the first refusal
 * of a limit and key in a window inserts one `rate_limited` event with
 * `detail: {limit, count: 1}`, and further refusals in that window only
 * raise `count` (written back at most once a second). A flood of 429s thus
 * costs one row per limit, key and window, per instance, instead of one row
 * per request, so it cannot bury real events or monopolise SQLite's writer.
 * The key itself is never stored; the event names the account (`user_id`)
 * only for an existing one.
 */
export function createRefusalAudit(deps: { db: Db; clock: Clock; logger: Logger }) {
  const { db, clock, logger } = deps;
  const open = new BoundedMap<string, Summary>(CAPACITY);

  async function insert(refusal: Refusal, origin: Origin): Promise<number | undefined> {
    try {
      return await insertAuditEventReturningId(db, {
        at: clock().toISOString(),
        type: 'rate_limited',
        user_id: refusal.userId ?? null,
        actor_id: origin.actorId,
        session_id: null,
        ip: origin.ip,
        user_agent: origin.userAgent,
        detail: JSON.stringify({ limit: refusal.limit, count: 1 }),
      });
    } catch (error) {
      // A refusal is answered whatever happens to its audit event.
      logger.warn({ err: error, limit: refusal.limit }, 'could not write a rate_limited audit event');
      return undefined;
    }
  }

  function scheduleFlush(summary: Summary): void {
    if (summary.flushScheduled) return;
    summary.flushScheduled = true;
    const timer = setTimeout(async () => {
      summary.flushScheduled = false;
      const id = await summary.id;
      if (id === undefined) return;
      const detail = JSON.stringify({ limit: summary.limit, count: summary.count });
      await updateAuditDetail(db, id, detail).catch((error: unknown) => {
        logger.warn({ err: error, limit: summary.limit }, 'could not update a rate_limited audit event');
      });
    }, FLUSH_INTERVAL_MS);
    timer.unref();
  }

  return {
    /** Records one refusal; resolves once the window's event exists (at once after the first). */
    async record(refusal: Refusal, origin: Origin): Promise<void> {
      const mapKey = `${refusal.limit}\u0000${refusal.key}`;
      const nowMs = clock().getTime();
      const summary = open.get(mapKey);
      if (summary && nowMs < summary.endsAtMs) {
        summary.count += 1;
        scheduleFlush(summary);
        return;
      }
      const id = insert(refusal, origin);
      open.delete(mapKey); // re-insert as newest, so eviction takes the stalest
      open.set(mapKey, {
        endsAtMs: nowMs + refusal.windowSeconds * 1000,
        id,
        limit: refusal.limit,
        count: 1,
        flushScheduled: false,
      });
      await id;
    },
  };
}
