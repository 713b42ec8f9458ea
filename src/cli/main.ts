/**
 * `npm run cli -- <command>`: operator commands against the configured
 * database. See `npm run cli -- --help`.
 */
import { createInterface } from 'node:readline';
import { systemClock } from '../clock.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import { createDb } from '../db/connection.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { createTessera } from '../tessera.ts';
import { runCommand } from './commands.ts';

/** The first line of standard input: `echo "$PASSWORD" | npm run cli -- create-admin root`. */
async function readPasswordFromStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password: ');
  const lines = createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    lines.close();
    return line;
  }
  return '';
}

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const db = createDb(config.databaseUrl, { poolMax: config.databasePoolMax });
try {
  await migrateToLatest(db);
  const tessera = createTessera({ db, config });
  process.exitCode = await runCommand(process.argv.slice(2), {
    tessera,
    db,
    config,
    clock: systemClock,
    print: (line) => console.log(line),
    readPassword: readPasswordFromStdin,
  });
} finally {
  await db.destroy();
}
