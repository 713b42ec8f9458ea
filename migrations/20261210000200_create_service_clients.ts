import type { Knex } from 'knex';

// Service clients: credentials for resource servers calling /oauth/introspect.
// The secret is kept only as its SHA-256; deleting a client deletes its row.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('service_clients', (table) => {
    table.string('id', 36).primary();
    table.string('name', 100).notNullable();
    table.string('client_id', 64).notNullable().unique();
    table.string('secret_hash', 64).notNullable();
    table.string('created_at', 24).notNullable();
    table.string('last_used_at', 24).nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('service_clients');
}
