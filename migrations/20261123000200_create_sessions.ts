import type { Knex } from 'knex';

// One row per logged-in device. Only the SHA-256 of the current access token
// is kept; refresh tokens live in their own table (next migration).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('sessions', (table) => {
    table.string('id', 36).primary();
    table
      .integer('user_id')
      .unsigned()
      .notNullable()
      .references('id')
      .inTable('users')
      .onDelete('CASCADE');
    table.string('device_name', 100).notNullable();
    table.string('user_agent', 512).nullable();
    table.string('ip', 64).nullable();
    table.string('created_at', 24).notNullable();
    table.string('last_used_at', 24).notNullable();
    // Idle expiry: slides forward on every refresh, never past max_expires_at.
    table.string('expires_at', 24).notNullable();
    table.string('max_expires_at', 24).notNullable();
    table.string('access_token_hash', 64).notNullable().unique();
    table.string('access_expires_at', 24).notNullable();
    table.string('revoked_at', 24).nullable();
    table.string('revoked_reason', 32).nullable();
    table.index(['user_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sessions');
}
