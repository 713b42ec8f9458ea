/**
 * A few blog posts by the demo users, for trying the posts API
 * (`npm run seed`). Skipped when the posts table already has rows.
 */
import type { Knex } from 'knex';
import { usernameKey } from '../src/users/identity.ts';
import { insertPost } from '../src/posts/repository.ts';
import { findUserByUsernameKey } from '../src/users/repository.ts';

const DEMO_POSTS = [
  { author: 'alice', title: 'Hello from Alice', content: 'My first post on Tessera.' },
  { author: 'alice', title: 'Sessions per device', content: 'Logged in on my phone and laptop.' },
  { author: 'bob', title: "Bob's notes", content: 'Revoked my old tablet from the device list.' },
];

export async function seed(knex: Knex): Promise<void> {
  if (await knex('posts').first()) return;
  const now = new Date().toISOString();
  for (const post of DEMO_POSTS) {
    const author = await findUserByUsernameKey(knex, usernameKey(post.author));
    if (!author) continue;
    await insertPost(knex, {
      title: post.title,
      content: post.content,
      user_id: author.id,
      created_at: now,
      updated_at: now,
    });
  }
}
