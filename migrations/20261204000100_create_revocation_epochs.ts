import type { Knex } from 'knex';

// One row per process that has revoked something: a counter bumped in the
// same transaction as every revocation. Running servers poll the table, so a
// revocation made by any process sharing the database (the CLI, another
// instance, an embedding app) reaches their token caches even when Redis
// cannot carry the news (src/auth/revocation-watch.ts).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('revocation_epochs', (table) => {
    table.string('origin', 36).primary();
    table.bigInteger('epoch').notNullable();
    table.string('updated_at', 24).notNullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('revocation_epochs');
}
