import { z } from 'zod';

export const DEFAULT_PAGE_LIMIT = 20;
export const MAX_PAGE_LIMIT = 100;

/**
 * A query-string integer. Query values are always text, so digits are
 * accepted, but nothing else: "1e3", "-1", "abc" and repeated params
 * (`?limit=1&limit=2`) are validation errors, not guesses.
 */
export function queryInteger(options: { min: number; max: number }) {
  return z
    .string({ error: 'must be given once, as a whole number' })
    .regex(/^\d{1,9}$/, { message: 'must be a whole number' })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(options.min, { message: `must be at least ${options.min}` })
        .max(options.max, { message: `must be at most ${options.max}` }),
    );
}

/** `offset` and `limit` of a list endpoint. */
export const paginationQuery = z.object({
  offset: queryInteger({ min: 0, max: 1_000_000_000 }).default(0),
  limit: queryInteger({ min: 1, max: MAX_PAGE_LIMIT }).default(DEFAULT_PAGE_LIMIT),
});

/** The contract's list shape. */
export function page<Item>(items: Item[], total: number, query: { offset: number; limit: number }) {
  return { items, total, offset: query.offset, limit: query.limit };
}
