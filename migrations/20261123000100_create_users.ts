import type { Knex } from 'knex';

// Times are ISO-8601 UTC strings of one fixed width, which compare correctly
// as text on SQLite and PostgreSQL alike.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (table) => {
    table.increments('id').primary();
    table.string('username', 32).notNullable();
    // Lower-cased NFKC form: usernames are unique ignoring case.
    table.string('username_key', 32).notNullable().unique();
    table.string('email', 254).nullable();
    table.string('email_key', 254).nullable().unique();
    table.string('password_hash', 255).notNullable();
    table.boolean('is_admin').notNullable().defaultTo(false);
    table.boolean('disabled').notNullable().defaultTo(false);
    table.string('created_at', 24).notNullable();
    table.string('updated_at', 24).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}
