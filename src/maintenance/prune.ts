import { deleteAuditEvents, findAuditIdsBefore } from '../audit/repository.ts';
import { deleteIdleRevocationEpochs } from '../auth/revocation-epochs.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import type { Logger } from '../logger.ts';
import { deleteSessions, findPrunableSessionIds } from '../sessions/repository.ts';

/**
 * Small batches keep each delete short (a few milliseconds), and yielding
 * between them lets queued requests run, so pruning a million rows never
 * holds up a request for long.
 */
const BATCH_SIZE = 200;

export interface Retention {
  /** Seconds a session row is kept after it expired or was revoked. */
  readonly sessionRetention: number;
  /** Seconds an audit event is kept. */
  readonly auditRetention: number;
}

export interface PruneCounts {
  sessions: number;
  auditEvents: number;
}

/**
 * A process's revocation counter (auth/revocation-epochs.ts) is forgotten a
 * day after its last revocation: by then it has long stopped running (a CLI
 * run, an old instance), or, if it still runs, its next revocation simply
 * starts a new counter, which the other instances treat as news and act on.
 */
const IDLE_EPOCH_RETENTION_MS = 24 * 3600 * 1000;

async function deleteInBatches<Id>(
  find: (limit: number) => Promise<Id[]>,
  remove: (ids: Id[]) => Promise<number>,
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const ids = await find(BATCH_SIZE);
    if (ids.length === 0) return deleted;
    deleted += await remove(ids);
    if (ids.length < BATCH_SIZE) return deleted;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Deletes old dead sessions (and their refresh tokens) and old audit events. */
export async function pruneExpired(db: Db, clock: Clock, retention: Retention): Promise<PruneCounts> {
  const now = clock().getTime();
  const sessionCutoff = new Date(now - retention.sessionRetention * 1000).toISOString();
  const auditCutoff = new Date(now - retention.auditRetention * 1000).toISOString();
  await deleteIdleRevocationEpochs(db, new Date(now - IDLE_EPOCH_RETENTION_MS).toISOString());
  return {
    sessions: await deleteInBatches(
      (limit) => findPrunableSessionIds(db, sessionCutoff, limit),
      (ids) => deleteSessions(db, ids),
    ),
    auditEvents: await deleteInBatches(
      (limit) => findAuditIdsBefore(db, auditCutoff, limit),
      (ids) => deleteAuditEvents(db, ids),
    ),
  };
}

/**
 * Prunes every `intervalSeconds` in the background (0 = never). The timer is
 * unref'd so it never keeps the process alive; call the result to stop it.
 */
export function schedulePruning(
  db: Db,
  clock: Clock,
  settings: Retention & { pruneInterval: number },
  logger: Logger,
): () => void {
  if (settings.pruneInterval === 0) return () => {};
  const timer = setInterval(() => {
    pruneExpired(db, clock, settings).then(
      (counts) => logger.info(counts, 'pruned expired sessions and old audit events'),
      (error: unknown) => logger.error({ err: error }, 'pruning failed'),
    );
  }, settings.pruneInterval * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
