import type { Db } from '../db/connection.ts';
import { paginate, type Page } from '../db/paginate.ts';

export interface PostRow {
  id: number;
  title: string;
  content: string;
  user_id: number;
  created_at: string;
  updated_at: string;
}

export async function insertPost(db: Db, post: Omit<PostRow, 'id'>): Promise<PostRow> {
  const [row] = await db<PostRow>('posts').insert(post).returning('*');
  if (!row) throw new Error('insert into posts returned no row');
  return row;
}

export function findPost(db: Db, id: number): Promise<PostRow | undefined> {
  return db<PostRow>('posts').where({ id }).first();
}

export async function updatePost(
  db: Db,
  id: number,
  changes: Partial<Pick<PostRow, 'title' | 'content'>> & { updated_at: string },
): Promise<void> {
  await db<PostRow>('posts').where({ id }).update(changes);
}

export async function deletePost(db: Db, id: number): Promise<void> {
  await db<PostRow>('posts').where({ id }).delete();
}

/** Newest first, optionally one author's. */
export async function listPosts(
  db: Db,
  filter: { userId?: number },
  page: Page,
): Promise<{ rows: PostRow[]; total: number }> {
  const matching = () => {
    const query = db<PostRow>('posts');
    if (filter.userId !== undefined) query.where({ user_id: filter.userId });
    return query;
  };
  return paginate(matching, { column: 'id', direction: 'desc' }, page);
}
