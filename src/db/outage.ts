import type { Logger } from '../logger.ts';
import type { Db } from './connection.ts';

/**
 * What "the database cannot serve us right now" looks like, as opposed to a
 * bug. Only these become `503 service_unavailable`; every other database
 * error stays a logged `500 internal_error`, because a wrong query is ours
 * to fix and must not hide behind "try again later".
 */

/** Network errors of the socket to PostgreSQL (refused, reset, unreachable, DNS). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLite result codes of a database that cannot be used at the moment: disk
 * full, I/O error, file gone or unreadable, read-only file system, locked by
 * another process for longer than busy_timeout. Not SQLITE_CONSTRAINT,
 * SQLITE_ERROR (bad SQL) or SQLITE_CORRUPT (needs an operator, not a retry).
 */
const SQLITE_CODES = new Set(['SQLITE_FULL', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_BUSY']);

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception), class 53
 * (insufficient resources: 53100 disk_full, 53200 out_of_memory, 53300
 * too_many_connections), 57014 (query_canceled: our statement_timeout),
 * 57P01-57P03 (server shutting down, crashed, starting up), 40001/40P01 are
 * deliberately absent (a conflict is ours to retry or report, not an outage).
 */
function isUnavailableSqlState(code: string): boolean {
  return /^(08|53)[0-9A-Z]{3}$/.test(code) || code === '57014' || /^57P0[123]$/.test(code);
}

/**
 * Messages of pg and knex for the same conditions, which carry no code:
 * pg's client-side query timeout (a silent partition), a connection that
 * dropped or timed out while connecting, knex's acquire timeout (every
 * connection busy or unreachable) and a pool that has been shut down.
 * knex prefixes a failed query's message with its SQL and bindings
 * (`BEGIN; - Query read timeout`), so the driver's words are matched at the
 * end only: a value in the bindings can never make a bug look like an outage.
 */
const AFTER_SQL = '(?:^|\\s-\\s)';
const UNAVAILABLE_MESSAGES = [
  new RegExp(`${AFTER_SQL}Query read timeout$`),
  new RegExp(`${AFTER_SQL}Connection terminated (unexpectedly|due to connection timeout)$`),
  new RegExp(`${AFTER_SQL}Client has encountered a connection error and is not queryable$`),
  new RegExp(`${AFTER_SQL}Client was closed and is not queryable$`),
  /^Knex: Timeout acquiring a connection/,
  /^Unable to acquire a connection$/,
];

/** True when `error` (or what it wraps) means the database is unreachable, full or too slow. */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const { code, message, name, cause, errors } = error as {
    code?: unknown;
    message?: unknown;
    name?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || isUnavailableSqlState(code)) return true;
    if (SQLITE_CODES.has(code)) return true;
  }
  if (name === 'KnexTimeoutError') return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // ECONNREFUSED on a host with several addresses arrives as an AggregateError.
  if (Array.isArray(errors) && errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return isDatabaseUnavailable(cause, depth + 1);
}

/**
 * Knows whether the database is in an outage, so that an outage is logged
 * once when it starts and once when it ends (with the number of requests
 * refused meanwhile), never once per request.
 *
 * An outage starts with the first refused request (or failed probe). It
 * ends when a probe succeeds (the monitor's own, twice a second while the
 * outage lasts, or a `/readyz`) and no request has been refused for
 * QUIET_MS. A probe alone is not enough: with a full disk `select 1` still
 * works while every write fails, and ending the outage at each successful
 * read would log it again at the next refused write.
 */
export interface OutageMonitor {
  /** A request was refused with 503 because of `error`. */
  refused(error: unknown): void;
  /** A probe failed with `error` (starts an outage without counting a refused request). */
  failed(error: unknown): void;
  /** A probe succeeded: ends the outage if nothing was refused lately. */
  reachable(): void;
  isOngoing(): boolean;
  /** Stops probing. */
  close(): void;
}

/** How long no request may have been refused before a successful probe ends an outage. */
const QUIET_MS = 2_000;
const PROBE_INTERVAL_MS = 500;

/** The longest a readiness probe may take, even when the network drops every byte. */
export const PROBE_TIMEOUT_MS = 750;

export type ProbeResult = { up: true } | { up: false; error: unknown };

/**
 * `select 1` with a deadline of its own: acquiring a connection and the
 * query together, so a probe answers in time even when a silent partition
 * holds every pooled connection.
 */
export async function probeDatabase(db: Db, timeoutMs = PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('database probe timed out')), timeoutMs);
  });
  const query = db.raw('select 1');
  try {
    await Promise.race([query, deadline]);
    return { up: true };
  } catch (error) {
    // The query may still settle after the deadline; nobody waits for it.
    query.catch(() => {});
    return { up: false, error };
  } finally {
    clearTimeout(timer);
  }
}

export function createOutageMonitor(db: Db, logger: Logger): OutageMonitor {
  let since: number | undefined;
  let lastRefusedAt = 0;
  let refusedCount = 0;
  let probing: NodeJS.Timeout | undefined;

  function start(error: unknown): void {
    if (since !== undefined) return;
    since = Date.now();
    logger.error({ reason: describe(error) }, 'database unavailable: answering 503 service_unavailable');
    let probeInFlight = false;
    probing = setInterval(() => {
      if (probeInFlight) return;
      probeInFlight = true;
      void probeDatabase(db).then((result) => {
        probeInFlight = false;
        if (result.up) monitor.reachable();
      });
    }, PROBE_INTERVAL_MS);
    probing.unref();
  }

  const monitor: OutageMonitor = {
    refused(error) {
      start(error);
      refusedCount += 1;
      lastRefusedAt = Date.now();
    },
    failed: start,
    reachable() {
      if (since === undefined || Date.now() - lastRefusedAt < QUIET_MS) return;
      logger.warn(
        { downForMs: Date.now() - since, refusedRequests: refusedCount },
        'database available again',
      );
      since = undefined;
      refusedCount = 0;
      clearInterval(probing);
    },
    isOngoing: () => since !== undefined,
    close() {
      clearInterval(probing);
    },
  };
  return monitor;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
