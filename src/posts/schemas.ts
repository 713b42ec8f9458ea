import { z } from 'zod';
import { paginationQuery, queryInteger } from '../http/pagination.ts';
import { requiredString } from '../http/validate.ts';

const title = requiredString()
  .trim()
  .min(1, { message: 'must not be empty' })
  .max(200, { message: 'must be at most 200 characters' });
const content = requiredString()
  .min(1, { message: 'must not be empty' })
  .max(10_000, { message: 'must be at most 10000 characters' });

export const createPostBody = z.object({ title, content });

export const updatePostBody = z
  .object({ title: title.optional(), content: content.optional() })
  .refine((body) => body.title !== undefined || body.content !== undefined, {
    path: ['title'],
    message: 'give title, content, or both',
  });

export const listPostsQuery = paginationQuery.extend({
  user_id: queryInteger({ min: 1, max: Number.MAX_SAFE_INTEGER }).optional(),
});
