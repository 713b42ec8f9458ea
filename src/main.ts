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
import { makeDrainable } from './http/graceful-close.ts';
import { createLogger } from './logger.ts';
import { schedulePruning } from './maintenance/prune.ts';
import { systemClock } from './clock.ts';
import { startMetricsServer } from './metrics/server.ts';

/** The configuration, or one line naming the bad variable and exit code 1 (no stack trace). */
function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

const config = readConfig();
const logger = createLogger(config.logLevel);
const db = createDb(config.databaseUrl, {
  poolMax: config.databasePoolMax,
  timeoutSeconds: config.databaseTimeout,
});
await migrateToLatest(db);

const { listener, tessera } = createApp({ db, config, logger });
if (config.admin) {
  const origin = { ip: null, userAgent: 'tessera-startup', actorId: null };
  await tessera.services.users.ensureAdmin(config.admin.username, config.admin.password, origin);
  logger.info({ username: config.admin.username }, 'admin account ensured');
}
const stopPruning = schedulePruning(db, systemClock, config, logger);
// Prometheus on a port of its own (METRICS_PORT), never on the public one.
const metricsServer =
  config.metricsPort !== undefined && tessera.metrics
    ? await startMetricsServer(tessera.metrics, { host: config.host, port: config.metricsPort, logger })
    : undefined;

const server = createServer(
  // Node checks the timeouts below every 30 s by default; a slow client would get that much extra.
  { connectionsCheckingInterval: 1_000 },
  listener,
);
// A client that trickles its headers or body holds a socket; these bound how long.
server.headersTimeout = config.httpTimeouts.headers * 1000;
server.requestTimeout = config.httpTimeouts.request * 1000;
server.keepAliveTimeout = config.httpTimeouts.keepAlive * 1000;
const drainable = makeDrainable(server, logger);
server.listen(config.port, config.host, () => {
  // The bound port, not the configured one: PORT=0 asks the system for a free port.
  const { address, port } = server.address() as AddressInfo;
  logger.info({ host: address, port }, 'tessera listening');
});

/**
 * Stop signal: report not ready at once (load balancers stop routing here),
 * stop accepting, let every request that reached the server finish, close
 * keep-alive connections as they go idle, then the pools. SHUTDOWN_TIMEOUT
 * bounds the whole: past it the remaining connections are cut, and a pool
 * that will not close (a partitioned database) does not keep the process up.
 */
async function shutdown(signal: string): Promise<void> {
  const timeoutMs = config.shutdownTimeout * 1000;
  logger.info({ signal, timeoutMs }, 'shutting down');
  tessera.readiness.drain();
  stopPruning();
  const { forced } = await drainable.drain(timeoutMs);
  await metricsServer?.close();
  const closing = setTimeout(() => {
    logger.warn('shutdown: closing the database pool timed out');
    process.exit(0);
  }, 2_000);
  closing.unref();
  await tessera.close();
  await db.destroy();
  logger.info({ forced }, 'stopped');
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
