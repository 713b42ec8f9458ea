/**
 * `npm run cli -- <command>`: operator commands against the configured
 * database. See `npm run cli -- --help`.
 */
import { systemClock } from '../clock.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import { createDb } from '../db/connection.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { isDatabaseUnavailable } from '../db/outage.ts';
import { createTessera, type Tessera } from '../tessera.ts';
import { runCommand } from './commands.ts';
import { readPassword } from './read-password.ts';

/** The longest the CLI waits for its connections to close once the command is done. */
const CLOSE_TIMEOUT_MS = 2_000;

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const db = createDb(config.databaseUrl, {
  poolMax: config.databasePoolMax,
  timeoutSeconds: config.databaseTimeout,
});
let tessera: Tessera | undefined;
try {
  await migrateToLatest(db);
  tessera = createTessera({ db, config });
  process.exitCode = await runCommand(process.argv.slice(2), {
    tessera,
    db,
    config,
    clock: systemClock,
    print: (line) => console.log(line),
    readPassword: () => readPassword(process.stdin, process.stderr),
  });
} catch (error) {
  if (!isDatabaseUnavailable(error)) throw error;
  console.error(`database unavailable: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await closeEverything(tessera);
}

/**
 * Close what the command opened (Tessera's Redis client and subscription,
 * its lookup connections, the pool), each bounded: an unreachable Redis or
 * database must not keep an operator's terminal waiting. If anything still
 * holds the event loop after that, the unref'd timer ends the process; it
 * never fires when everything closed, because the process has exited first.
 */
async function closeEverything(opened: Tessera | undefined): Promise<void> {
  const closing = (async () => {
    await opened?.close().catch(() => {});
    await db.destroy().catch(() => {});
  })();
  await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, CLOSE_TIMEOUT_MS).unref())]);
  setTimeout(() => process.exit(), CLOSE_TIMEOUT_MS).unref();
}
