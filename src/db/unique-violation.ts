/**
 * Translates a unique-constraint error from either database into the name of
 * the column that clashed, so services can answer 409 instead of 500 even
 * when two requests race past a check.
 *
 * SQLite: `SQLITE_CONSTRAINT: UNIQUE constraint failed: users.username_key`.
 * PostgreSQL: code 23505 with `constraint: 'users_username_key_unique'`.
 */
export function uniqueViolationColumn(error: unknown, table: string): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, constraint } = error as {
    code?: string;
    message?: string;
    constraint?: string;
  };
  if (code === '23505' && constraint?.startsWith(`${table}_`)) {
    return constraint.slice(table.length + 1).replace(/_unique$/, '');
  }
  const sqlite = /UNIQUE constraint failed: (\w+)\.(\w+)/.exec(message ?? '');
  if (code === 'SQLITE_CONSTRAINT' && sqlite?.[1] === table) return sqlite[2];
  return undefined;
}
