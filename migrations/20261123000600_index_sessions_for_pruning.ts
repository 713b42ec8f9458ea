import type { Knex } from 'knex';

// Pruning looks for sessions that expired or were revoked long ago.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (table) => {
    table.index(['expires_at']);
    table.index(['revoked_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (table) => {
    table.dropIndex(['expires_at']);
    table.dropIndex(['revoked_at']);
  });
}
