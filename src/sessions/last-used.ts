import DataLoader from 'dataloader';
import type { Db } from '../db/connection.ts';
import { touchSessions } from './repository.ts';
import { addSeconds, iso } from './time.ts';

/**
 * `last_used_at` is for people reading their device list, not for security,
 * so the hot path writes it at most once a minute per session instead of on
 * every request.
 */
export const LAST_USED_WRITE_INTERVAL_SECONDS = 60;

/** The most sessions one UPDATE touches. */
const MAX_BATCH = 500;

interface Use {
  readonly sessionId: string;
  readonly at: Date;
}

/**
 * The throttled `last_used_at` writes, batched like the lookups: every
 * session that comes due in one turn of the event loop is updated by one
 * statement. Sessions come due together after a restart or a cache flush
 * (each one's first request writes), and one at a time those writes would
 * queue behind each other on SQLite's single writer.
 */
export function createLastUsedWriter(db: Db) {
  const writes = new DataLoader<Use, void>(
    async (uses) => {
      // One timestamp for the batch: its uses are at most a turn apart.
      const at = new Date(Math.max(...uses.map((use) => use.at.getTime())));
      const usedBefore = iso(addSeconds(at, -LAST_USED_WRITE_INTERVAL_SECONDS));
      await touchSessions(db, uses.map((use) => use.sessionId), iso(at), usedBefore);
      return uses.map(() => undefined);
    },
    { cache: false, maxBatchSize: MAX_BATCH, batchScheduleFn: (run) => setImmediate(run) },
  );

  return {
    /** Resolves once the write that covers this use has committed. */
    record: (sessionId: string, at: Date): Promise<void> => writes.load({ sessionId, at }),
  };
}

export type LastUsedWriter = ReturnType<typeof createLastUsedWriter>;
