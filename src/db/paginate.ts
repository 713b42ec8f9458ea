import type { Knex } from 'knex';

export interface Page {
  readonly offset: number;
  readonly limit: number;
}

/**
 * One page of `matching()` in `order`, and how many rows match in all. The
 * query is built twice (rows, count) because knex builders are consumed by
 * running them.
 */
export async function paginate<Row extends object>(
  matching: () => Knex.QueryBuilder<Row>,
  order: { column: string; direction: 'asc' | 'desc' },
  page: Page,
): Promise<{ rows: Row[]; total: number }> {
  const [rows, counted] = await Promise.all([
    matching().orderBy(order.column, order.direction).offset(page.offset).limit(page.limit),
    matching().count({ total: '*' }).first(),
  ]);
  return { rows: rows as Row[], total: Number((counted as { total?: unknown } | undefined)?.total ?? 0) };
}
