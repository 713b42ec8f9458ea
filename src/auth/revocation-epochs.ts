import type { Db } from '../db/connection.ts';
import { createPreparedQuery } from '../db/prepared-query.ts';

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

function otherEpochsQuery(db: Db, exceptOrigin: unknown) {
  return db('revocation_epochs').whereNot('origin', exceptOrigin as string).select('origin', 'epoch');
}

type EpochRow = { origin: string; epoch: number | string };

function toEpochs(rows: readonly EpochRow[]): RevocationEpoch[] {
  return rows.map((row) => ({ origin: row.origin, epoch: Number(row.epoch) }));
}

/** Every process's counter but `exceptOrigin`'s (the poller's own). */
export async function readRevocationEpochs(db: Db, exceptOrigin: string): Promise<RevocationEpoch[]> {
  return toEpochs(await otherEpochsQuery(db, exceptOrigin));
}

/**
 * `readRevocationEpochs` as a prepared statement, for the watch that polls
 * 50 times a second: through knex each poll cost about 0.3–0.8 ms of CPU,
 * 4–5 % of a core on an idle server; prepared, about half of that (see
 * BENCHMARKS.md, "Issue 9").
 */
export function createRevocationEpochReader(db: Db, exceptOrigin: string) {
  const statement = createPreparedQuery<EpochRow>(db, {
    name: 'revocation_epochs_of_others',
    query: otherEpochsQuery,
    arity: 1,
  });
  return {
    read: async (): Promise<RevocationEpoch[]> => toEpochs(await statement.all([exceptOrigin])),
    close: () => statement.close(),
  };
}

/** Forgets counters of processes that revoked nothing since `cutoff` (CLI runs, old instances). */
export function deleteIdleRevocationEpochs(db: Db, cutoff: string): Promise<number> {
  return db('revocation_epochs').where('updated_at', '<', cutoff).delete();
}
