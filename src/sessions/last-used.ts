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
 * The throttled `last_used_at` writes, batched: sessions that come due
 * while a write is in flight (or in the same turn of the event loop) are
 * updated together by the next statement. Sessions come due together after
 * a restart or a cache flush (each one's first request writes), and one at
 * a time those writes would queue behind each other on SQLite's single
 * writer.
 */
export function createLastUsedWriter(
  db: Db,
  /** The conditional UPDATE (personal access tokens pass their own; tokens/repository.ts). */
  touch: (db: Db, ids: readonly string[], now: string, usedBefore: string) => Promise<unknown> = touchSessions,
) {
  // The write in flight. The next batch waits for it and so gathers every
  // session that came due meanwhile: under load the writes queue as a few
  // large UPDATEs rather than one small UPDATE per turn.
  let inFlight: Promise<unknown> = Promise.resolve();

  const writes = new DataLoader<Use, void>(
    async (uses) => {
      // One timestamp for the batch: its uses are moments apart.
      const at = new Date(Math.max(...uses.map((use) => use.at.getTime())));
      const usedBefore = iso(addSeconds(at, -LAST_USED_WRITE_INTERVAL_SECONDS));
      const write = touch(db, uses.map((use) => use.sessionId), iso(at), usedBefore);
      inFlight = write.catch(() => {}); // its own callers get the error
      await write;
      return uses.map(() => undefined);
    },
    {
      cache: false,
      maxBatchSize: MAX_BATCH,
      batchScheduleFn: (run) => void inFlight.then(() => setImmediate(run)),
    },
  );

  return {
    /** Resolves once the write that covers this use has committed. */
    record: (sessionId: string, at: Date): Promise<void> => writes.load({ sessionId, at }),
  };
}
