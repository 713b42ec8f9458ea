import type { AuthUser } from '../auth/state.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors/app-error.ts';
import * as posts from './repository.ts';
import type { PostRow } from './repository.ts';

export type PostsService = ReturnType<typeof createPostsService>;

/** Blog posts: anyone reads, signed-in users write, owners edit, owners and admins delete. */
export function createPostsService(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;

  async function requirePost(postId: number | undefined): Promise<PostRow> {
    const post = postId === undefined ? undefined : await posts.findPost(db, postId);
    if (!post) throw new AppError('not_found', 'No such post.');
    return post;
  }

  return {
    list: (filter: { userId?: number }, page: { offset: number; limit: number }) =>
      posts.listPosts(db, filter, page),

    get: requirePost,

    create(author: AuthUser, input: { title: string; content: string }): Promise<PostRow> {
      const now = clock().toISOString();
      return posts.insertPost(db, {
        ...input,
        user_id: Number(author.id),
        created_at: now,
        updated_at: now,
      });
    },

    async update(
      editor: AuthUser,
      postId: number | undefined,
      changes: { title?: string; content?: string },
    ): Promise<PostRow> {
      const post = await requirePost(postId);
      if (String(post.user_id) !== editor.id) {
        throw new AppError('forbidden', 'Only the author can edit this post.');
      }
      await posts.updatePost(db, post.id, { ...changes, updated_at: clock().toISOString() });
      return requirePost(post.id);
    },

    async remove(remover: AuthUser, postId: number | undefined): Promise<void> {
      const post = await requirePost(postId);
      if (String(post.user_id) !== remover.id && !remover.isAdmin) {
        throw new AppError('forbidden', 'Only the author or an admin can delete this post.');
      }
      await posts.deletePost(db, post.id);
    },
  };
}
