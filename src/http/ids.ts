/**
 * Ids are checked here, before any query, so a request never reaches the
 * database with an id its column cannot hold: on PostgreSQL that is an
 * error (a 500), on SQLite it is merely unknown. Out of range = unknown.
 */

/**
 * The largest value of the `increments()` id columns (users, posts, audit
 * events): PostgreSQL's `integer`, 32-bit signed. Every numeric id column
 * (the primary keys and the `user_id` references) has this type.
 */
export const MAX_ROW_ID = 2_147_483_647;

/**
 * Parses a numeric id from a path segment. Anything that is not a plain
 * positive integer (`xyz`, `1.5`, `-1`, `007`, `' OR 1=1`) or that no row can
 * have (2^31 and up, twenty digits) is simply unknown, so the caller answers
 * 404 without asking the database.
 */
export function parseNumericId(raw: string | undefined): number | undefined {
  // Ten digits at most before Number(): a longer run is out of range anyway.
  if (!raw || !/^[1-9]\d{0,9}$/.test(raw)) return undefined;
  const id = Number(raw);
  return id <= MAX_ROW_ID ? id : undefined;
}

/** Session ids are UUIDs (crypto.randomUUID), written in lower case. */
const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A session id from a path segment, or undefined for anything that is not a
 * UUID as Tessera writes them (so `xyz`, a NUL byte or 300 characters are
 * unknown without a query).
 */
export function parseSessionId(raw: string | undefined): string | undefined {
  return raw !== undefined && SESSION_ID.test(raw) ? raw : undefined;
}
