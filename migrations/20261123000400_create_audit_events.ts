import type { Knex } from 'knex';

// The audit trail: who did what to which account and session, from where.
// No foreign keys: an event outlives the session (and even the user) it names.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_events', (table) => {
    table.increments('id').primary();
    table.string('at', 24).notNullable();
    table.string('type', 40).notNullable();
    table.integer('user_id').nullable();
    table.integer('actor_id').nullable();
    table.string('session_id', 36).nullable();
    table.string('ip', 64).nullable();
    table.string('user_agent', 512).nullable();
    // Small JSON object with event specifics (never a token or password).
    table.text('detail').nullable();
    table.index(['user_id', 'id']);
    table.index(['type', 'id']);
    table.index(['at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_events');
}
