import type { Knex } from 'knex';

// Every refresh token a session was ever given, by hash. The one with no
// rotated_at is current; a rotated one presented again is reuse (theft) once
// the leeway after its rotated_at has passed. Rows go with their session.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('refresh_tokens', (table) => {
    table.string('token_hash', 64).primary();
    table
      .string('session_id', 36)
      .notNullable()
      .references('id')
      .inTable('sessions')
      .onDelete('CASCADE');
    table.string('issued_at', 24).notNullable();
    table.string('rotated_at', 24).nullable();
    table.index(['session_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('refresh_tokens');
}
