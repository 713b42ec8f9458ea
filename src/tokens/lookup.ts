import type { Db } from '../db/connection.ts';
import { createHashLookup, type HashLookupSpec } from '../sessions/lookup.ts';
import { tokensByHashesQuery, type TokenWithUser } from './repository.ts';

const TOKENS_BY_HASH: HashLookupSpec<TokenWithUser> = {
  statementName: 'personal_access_tokens_by_hashes',
  query: tokensByHashesQuery,
  hashOf: (row) => row.token_hash,
};

/**
 * Personal access token hash → token joined to its owner: the same batched,
 * prepared lookup as sessions (sessions/lookup.ts), so a PAT costs what a
 * session token costs.
 */
export function createTokenLookup(db: Db) {
  return createHashLookup(db, TOKENS_BY_HASH);
}

export type TokenLookup = ReturnType<typeof createTokenLookup>;
