import { z } from 'zod';
import { paginationQuery, queryId } from '../http/pagination.ts';
import { plainText, requiredString } from '../http/validate.ts';

// Lengths in UTF-16 units, never more characters than the columns hold (title varchar(200)).
const title = plainText(
  requiredString()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(200, { message: 'must be at most 200 characters' }),
);
const content = plainText(
  requiredString()
    .min(1, { message: 'must not be empty' })
    .max(10_000, { message: 'must be at most 10000 characters' }),
  { multiline: true },
);

export const createPostBody = z.object({ title, content });

export const updatePostBody = z
  .object({ title: title.optional(), content: content.optional() })
  .refine((body) => body.title !== undefined || body.content !== undefined, {
    path: ['title'],
    message: 'give title, content, or both',
  });

export const listPostsQuery = paginationQuery.extend({
  user_id: queryId().optional(),
});
