import type { Db } from '../db/connection.ts';

/** One process's revocation counter. */
export interface RevocationEpoch {
  readonly origin: string;
  readonly epoch: number;
}

/**
 * Counts one more revocation by `origin`, inside the revoking transaction, so
 * the count becomes visible exactly when the revocation commits. Each process
 * bumps its own row: instances never contend on one counter.
 */
export async function bumpRevocationEpoch(trx: Db, origin: string, now: string): Promise<number> {
  const [row] = await trx('revocation_epochs')
    .insert({ origin, epoch: 1, updated_at: now })
    .onConflict('origin')
    .merge({ epoch: trx.raw('?? + 1', ['revocation_epochs.epoch']), updated_at: now })
    .returning('epoch');
  return Number((row as { epoch: number | string }).epoch);
}

/** Every process's counter but `exceptOrigin`'s (the poller's own). */
export async function readRevocationEpochs(db: Db, exceptOrigin: string): Promise<RevocationEpoch[]> {
  const rows = await db('revocation_epochs')
    .whereNot({ origin: exceptOrigin })
    .select('origin', 'epoch');
  return rows.map((row: { origin: string; epoch: number | string }) => ({
    origin: row.origin,
    epoch: Number(row.epoch),
  }));
}

/** Forgets counters of processes that revoked nothing since `cutoff` (CLI runs, old instances). */
export function deleteIdleRevocationEpochs(db: Db, cutoff: string): Promise<number> {
  return db('revocation_epochs').where('updated_at', '<', cutoff).delete();
}
