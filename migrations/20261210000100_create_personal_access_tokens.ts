import type { Knex } from 'knex';

// Personal access tokens: long-lived bearer tokens for scripts, one row each.
// Only the SHA-256 of the token is kept (a dump must not let anyone use one);
// abilities are a JSON array of strings, read whole with the row.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('personal_access_tokens', (table) => {
    table.string('id', 36).primary();
    table
      .integer('user_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE');
    table.string('name', 100).notNullable();
    table.text('abilities').notNullable();
    table.string('token_hash', 64).notNullable().unique();
    table.string('created_at', 24).notNullable();
    table.string('last_used_at', 24).nullable();
    table.string('expires_at', 24).notNullable();
    table.string('revoked_at', 24).nullable();
    table.index(['user_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('personal_access_tokens');
}
