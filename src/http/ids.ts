/**
 * Parses a numeric id from a path segment. Anything that is not a plain
 * positive integer (`xyz`, `1.5`, `-1`, `' OR 1=1`) is simply unknown, so the
 * caller answers 404 without asking the database.
 */
export function parseNumericId(raw: string | undefined): number | undefined {
  if (!raw || !/^[1-9]\d{0,14}$/.test(raw)) return undefined;
  return Number(raw);
}
