import { z } from 'zod';
import { MAX_ROW_ID } from './ids.ts';

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

/** What a query-string id that no row can have (0, 2^31 and up) parses to. */
export const NO_SUCH_ID = null;

/**
 * A query-string id filter (`?user_id=`). Digits that no row can have (0,
 * 2^31 and up, twenty digits) are an id of the right shape that is simply
 * unknown: the list is empty, the database is not asked, nothing fails.
 * Anything but digits is not an id at all: `validation_failed`.
 */
export function queryId() {
  return z
    .string({ error: 'must be given once, as a whole number' })
    .regex(/^\d+$/, { message: 'must be a whole number' })
    .transform((digits) => {
      // Leading zeros are harmless here ("007" is 7); the length test keeps Number() exact.
      const significant = digits.replace(/^0+/, '');
      const id = significant.length <= 10 ? Number(significant) : Infinity;
      return id >= 1 && id <= MAX_ROW_ID ? id : NO_SUCH_ID;
    });
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
