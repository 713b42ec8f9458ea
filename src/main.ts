/**
 * `npm start`: read the configuration, apply pending migrations, make sure
 * the configured admin exists, then serve until SIGTERM/SIGINT.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config/config.ts';
import { createDb } from './db/connection.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createLogger } from './logger.ts';
import { schedulePruning } from './maintenance/prune.ts';
import { systemClock } from './clock.ts';
import { USERNAME_PATTERN } from './users/identity.ts';

/** How long in-flight requests get to finish after a stop signal. */
const SHUTDOWN_GRACE_MS = 10_000;

function readConfig(): Config {
  try {
    const config = loadConfig();
    if (config.admin && !USERNAME_PATTERN.test(config.admin.username.normalize('NFKC'))) {
      throw new ConfigError(
        'Invalid configuration: ADMIN_USERNAME: must be 3 to 32 characters of A-Z a-z 0-9 . _ -',
      );
    }
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

const config = readConfig();
const logger = createLogger(config.logLevel);
const db = createDb(config.databaseUrl, { poolMax: config.databasePoolMax });
await migrateToLatest(db);

const { app, tessera } = createApp({ db, config, logger });
if (config.admin) {
  const origin = { ip: null, userAgent: 'tessera-startup', actorId: null };
  await tessera.services.users.ensureAdmin(config.admin.username, config.admin.password, origin);
  logger.info({ username: config.admin.username }, 'admin account ensured');
}
const stopPruning = schedulePruning(db, systemClock, config, logger);

const server = createServer(app.callback());
server.listen(config.port, config.host, () => {
  // The bound port, not the configured one: PORT=0 asks the system for a free port.
  const { address, port } = server.address() as AddressInfo;
  logger.info({ host: address, port }, 'tessera listening');
});

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'shutting down');
  const forced = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
  forced.unref();
  stopPruning();
  server.closeIdleConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await tessera.close();
  await db.destroy();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
