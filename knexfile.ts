/**
 * For the knex CLI (`npm run migrate`, `npm run seed`, `npx tsx
 * node_modules/knex/bin/cli.js …`). The server itself applies migrations at
 * start-up and does not need this file.
 */
import { loadConfig } from './src/config/config.ts';
import { knexSettings } from './src/db/connection.ts';
import { migrationSettings } from './src/db/migrate.ts';

const config = loadConfig();

export default {
  ...knexSettings(config.databaseUrl, { poolMax: config.databasePoolMax }),
  migrations: migrationSettings,
  seeds: { directory: './seeds', loadExtensions: ['.ts'] },
};
