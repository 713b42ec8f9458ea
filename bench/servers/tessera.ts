/**
 * Tessera as `npm start` builds it (createApp on the configured database),
 * plus two bench-only routes: event-loop delay since the last reset, and a
 * prune run. Configuration comes from the environment, like the server.
 */
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from '../../src/app.ts';
import { systemClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createDb } from '../../src/db/connection.ts';
import { pruneExpired } from '../../src/maintenance/prune.ts';
import { createLogger } from '../../src/logger.ts';
import { portFromArgs } from './shared.ts';

const config = loadConfig();
const db = createDb(config.databaseUrl, { poolMax: config.databasePoolMax });
const { listener } = createApp({ db, config, logger: createLogger(config.logLevel) });
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();

const benchRoutes = async (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => {
  if (request.url === '/__bench/event-loop') {
    const report = {
      p50: delay.percentile(50) / 1e6,
      p99: delay.percentile(99) / 1e6,
      max: delay.max / 1e6,
      rssMb: process.memoryUsage().rss / 2 ** 20,
      heapMb: process.memoryUsage().heapTotal / 2 ** 20,
    };
    delay.reset();
    response.end(JSON.stringify(report));
    return true;
  }
  if (request.url === '/__bench/prune') {
    const started = performance.now();
    const counts = await pruneExpired(db, systemClock, config);
    response.end(JSON.stringify({ ...counts, ms: performance.now() - started }));
    return true;
  }
  return false;
};

createServer((request, response) => {
  // Decided synchronously: a promise per request here would be counted as Tessera's cost.
  if (!request.url?.startsWith('/__bench/')) {
    listener(request, response);
    return;
  }
  void benchRoutes(request, response).then((handled) => {
    if (!handled) response.writeHead(404).end();
  });
}).listen(portFromArgs(), '127.0.0.1', () => process.send?.('ready'));

// Let the bench (or a profiler run) end the server cleanly, so --cpu-prof files get written.
process.on('message', (message) => {
  if (message === 'exit') process.exit(0);
});
