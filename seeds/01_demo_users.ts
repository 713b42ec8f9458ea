/**
 * Demo accounts for local development (`npm run seed`). Never run this
 * against a production database: the passwords are public.
 *
 *   username  password                 role
 *   alice     alice-demo-password      user
 *   bob       bob-demo-password        user
 *   admin     admin-demo-password      admin
 *
 * Existing users of these names are left as they are.
 */
import type { Knex } from 'knex';
import { createPasswordHasher } from '../src/crypto/passwords.ts';
import { emailKey, usernameKey } from '../src/users/identity.ts';
import { findUserByUsernameKey, insertUser } from '../src/users/repository.ts';

const DEMO_USERS = [
  { username: 'alice', email: 'alice@example.com', isAdmin: false },
  { username: 'bob', email: 'bob@example.com', isAdmin: false },
  { username: 'admin', email: null, isAdmin: true },
];

export async function seed(knex: Knex): Promise<void> {
  const passwords = createPasswordHasher();
  const now = new Date().toISOString();
  for (const user of DEMO_USERS) {
    if (await findUserByUsernameKey(knex, usernameKey(user.username))) continue;
    await insertUser(knex, {
      username: user.username,
      usernameKey: usernameKey(user.username),
      email: user.email,
      emailKey: user.email === null ? null : emailKey(user.email),
      passwordHash: await passwords.hash(`${user.username}-demo-password`),
      isAdmin: user.isAdmin,
      now,
    });
  }
}
