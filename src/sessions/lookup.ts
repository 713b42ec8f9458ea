import DataLoader from 'dataloader';
import type { Db } from '../db/connection.ts';
import { createPreparedQuery, type PreparedQuerySpec } from '../db/prepared-query.ts';
import { boundHashes, sessionsByAccessHashesQuery, type SessionWithUser } from './repository.ts';

/**
 * The hot-path query: access-token hash → session joined to its user.
 *
 * Two things make a cache miss cheap:
 *
 * - It runs as a prepared statement (db/prepared-query.ts), not a knex
 *   query built afresh for every request: knex costs far more per call
 *   than the indexed lookup.
 *
 * - Misses that arrive together share one query. Every lookup asked for
 *   while the event loop handles one round of incoming requests is sent as
 *   one batch (DataLoader, scheduled with setImmediate), so under load one
 *   hand-off to the database serves many requests, and when idle a lookup
 *   waits for nothing. A batch runs after every lookup in it was issued, so
 *   each lookup sees every commit made before it was asked for: a
 *   revocation is never missed by a request that follows it.
 */
export interface SessionLookup {
  findByAccessHash(accessTokenHash: string): Promise<SessionWithUser | undefined>;
  close(): Promise<void>;
}

/**
 * One hot-path lookup by token hash: sessions by access-token hash here,
 * personal access tokens in tokens/lookup.ts. Both run the same machinery,
 * so a PAT costs what a session costs.
 */
export interface HashLookupSpec<Row> {
  /** The name of the prepared statement, in logs and on knex's `query` event. */
  readonly statementName: string;
  /** The repository's query for a batch bound as `binding` (see `boundHashes`). */
  query(db: Db, binding: string | string[]): ReturnType<PreparedQuerySpec<Row>['query']>;
  /** The hash a row was found by. */
  hashOf(row: Row): string;
}

/** The most lookups in one query; bounds the bound JSON array and the rows per batch. */
const MAX_BATCH = 128;

/**
 * Read-only SQLite connections for the lookup: one connection would leave
 * batches waiting behind each other; a few overlap.
 */
const SQLITE_READERS = 4;

/** A batched, prepared lookup of rows by token hash (see SessionLookup above). */
export function createHashLookup<Row>(db: Db, spec: HashLookupSpec<Row>) {
  const statement = createPreparedQuery<Row>(db, {
    name: spec.statementName,
    query: (queryDb, binding) => spec.query(queryDb, binding as string | string[]),
    arity: 1,
    sqliteReaders: SQLITE_READERS,
  });

  const loader = new DataLoader<string, Row | undefined>(
    async (hashes) => {
      const rows = await statement.all([boundHashes(db, hashes)], { batchSize: hashes.length });
      const rowOf = new Map(rows.map((row) => [spec.hashOf(row), row]));
      return hashes.map((hash) => rowOf.get(hash));
    },
    {
      // Never remember answers: a session can be revoked between two requests.
      cache: false,
      maxBatchSize: MAX_BATCH,
      // After the current round of I/O callbacks, so requests that arrived together share a batch.
      batchScheduleFn: (runBatch) => setImmediate(runBatch),
    },
  );

  return {
    find: (hash: string): Promise<Row | undefined> => loader.load(hash),
    close: () => statement.close(),
  };
}

const SESSIONS_BY_ACCESS_HASH: HashLookupSpec<SessionWithUser> = {
  statementName: 'sessions_by_access_hashes',
  query: sessionsByAccessHashesQuery,
  hashOf: (row) => row.access_token_hash,
};

export function createSessionLookup(db: Db): SessionLookup {
  const lookup = createHashLookup(db, SESSIONS_BY_ACCESS_HASH);
  return { findByAccessHash: lookup.find, close: lookup.close };
}
