import type { Knex } from 'knex';

// Bumped by every password change. A login remembers the version of the
// password it verified and creates its session only if the version is still
// the same when the session row is written, so a login that was checking the
// old password while it was changed never yields a session.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => {
    table.integer('credential_version').notNullable().defaultTo(0);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (table) => {
    table.dropColumn('credential_version');
  });
}
