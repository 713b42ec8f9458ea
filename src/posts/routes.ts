import Router from '@koa/router';
import type { AuthMiddleware } from '../auth/middleware.ts';
import { signedInUser, type TesseraState } from '../auth/state.ts';
import { parseNumericId } from '../http/ids.ts';
import { NO_SUCH_ID, page } from '../http/pagination.ts';
import { parseInput } from '../http/validate.ts';
import { API_PREFIX } from '../http/api-prefix.ts';
import type { PostRow } from './repository.ts';
import { createPostBody, listPostsQuery, updatePostBody } from './schemas.ts';
import type { PostsService } from './service.ts';
import type { OperationSpec } from '../openapi/operation.ts';
import { Post, PostPage } from '../openapi/responses.ts';

/** The contract's *Post*. */
function presentPost(row: PostRow) {
  return {
    id: String(row.id),
    title: row.title,
    content: row.content,
    user_id: String(row.user_id),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/**
 * The example protected resource, guarded only by the public middleware
 * (`optionalAuth`, `requireAuth`) exactly as an embedding app would be.
 */
export function postsRoutes(deps: { posts: PostsService; auth: AuthMiddleware }): Router<TesseraState> {
  const { posts, auth } = deps;
  const router = new Router<TesseraState>({ prefix: API_PREFIX });

  router.get('/posts', auth.optionalAuth(), async (ctx) => {
    const query = parseInput(listPostsQuery, ctx.query);
    if (query.user_id === NO_SUCH_ID) {
      ctx.body = page([], 0, query); // an id no row can have: nothing to ask the database
      return;
    }
    const { rows, total } = await posts.list({ userId: query.user_id }, query);
    ctx.body = page(rows.map(presentPost), total, query);
  });

  router.get('/posts/:id', auth.optionalAuth(), async (ctx) => {
    ctx.body = presentPost(await posts.get(parseNumericId(ctx.params.id)));
  });

  router.post('/posts', auth.requireAbility('posts:write'), async (ctx) => {
    const body = parseInput(createPostBody, ctx.request.body);
    ctx.status = 201;
    ctx.body = presentPost(await posts.create(signedInUser(ctx), body));
  });

  router.put('/posts/:id', auth.requireAbility('posts:write'), async (ctx) => {
    const body = parseInput(updatePostBody, ctx.request.body);
    const post = await posts.update(signedInUser(ctx), parseNumericId(ctx.params.id), body);
    ctx.body = presentPost(post);
  });

  router.delete('/posts/:id', auth.requireAbility('posts:write'), async (ctx) => {
    await posts.remove(signedInUser(ctx), parseNumericId(ctx.params.id));
    ctx.status = 204;
  });

  return router;
}

/** The OpenAPI description of these routes (src/openapi/registry.ts). */
export const postsOperations: readonly OperationSpec[] = [
  {
    method: 'get', path: `${API_PREFIX}/posts`, tag: 'posts', access: 'optional',
    summary: 'List posts, newest first',
    query: listPostsQuery,
    success: { status: 200, description: 'A page of posts.', schema: PostPage },
  },
  {
    method: 'get', path: `${API_PREFIX}/posts/:id`, tag: 'posts', access: 'optional',
    summary: 'One post',
    success: { status: 200, description: 'The post.', schema: Post },
  },
  {
    method: 'post', path: `${API_PREFIX}/posts`, tag: 'posts', access: 'access', ability: 'posts:write',
    summary: 'Create a post',
    body: { schema: createPostBody, required: true, example: { title: 'Hello', content: 'First post.' } },
    success: { status: 201, description: 'The new post.', schema: Post },
  },
  {
    method: 'put', path: `${API_PREFIX}/posts/:id`, tag: 'posts', access: 'access', ability: 'posts:write',
    summary: 'Update one\'s own post',
    body: { schema: updatePostBody, required: true },
    success: { status: 200, description: 'The post.', schema: Post },
    errors: ['forbidden'],
  },
  {
    method: 'delete', path: `${API_PREFIX}/posts/:id`, tag: 'posts', access: 'access', ability: 'posts:write',
    summary: 'Delete a post (its owner or an admin)',
    success: { status: 204, description: 'Deleted.' },
    errors: ['forbidden'],
  },
];
