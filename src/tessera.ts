import { randomUUID } from 'node:crypto';
import compose from 'koa-compose';
import type { Middleware } from 'koa';
import type Router from '@koa/router';
import { createAdminService } from './admin/service.ts';
import { adminRoutes } from './admin/routes.ts';
import { createAuditLog } from './audit/audit-log.ts';
import { createRefusalAudit } from './audit/refusal-summary.ts';
import { myAuditRoutes } from './audit/routes.ts';
import { createAuditService } from './audit/service.ts';
import { createAuthMiddleware, type AuthMiddleware } from './auth/middleware.ts';
import type { TesseraState } from './auth/state.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config/config.ts';
import {
  createPasswordHasher,
  OWASP_ARGON2_PARAMETERS,
  type PasswordHasher,
} from './crypto/passwords.ts';
import type { Db } from './db/connection.ts';
import { healthRoutes } from './health/routes.ts';
import { createReadiness } from './health/readiness.ts';
import { createOutageMonitor } from './db/outage.ts';
import { API_PREFIX } from './http/api-prefix.ts';
import { errorHandler } from './http/error-handler.ts';
import { jsonBody } from './http/json-body.ts';
import { withoutPassThroughs } from './http/pass-through.ts';
import { requestId } from './http/request-id.ts';
import { createExpressLane } from './http/express-lane.ts';
import { clientAddress } from './http/client-info.ts';
import { createAccountKeys } from './users/account-key.ts';
import { requestLogger } from './http/request-logger.ts';
import { createSilentLogger, type Logger } from './logger.ts';
import { createPostsService } from './posts/service.ts';
import { createRedis, type Redis } from './db/redis.ts';
import { REDIS_OFF, watchRedis, type RedisStatus } from './db/redis-status.ts';
import { corsFor, securityHeaders } from './http/security-headers.ts';
import { createBrowserCookies } from './auth/cookie-token.ts';
import { createOriginCheck, csrfGuard } from './http/csrf.ts';
import type { Registry } from 'prom-client';
import { createMetrics } from './metrics/metrics.ts';
import { httpMetrics } from './metrics/http-metrics.ts';
import { countingCacheLookups, countingLogins, countingRefusals, timingPasswords } from './metrics/instrument.ts';
import type { CounterBackend } from './rate-limit/limiter.ts';
import { createPasswordGuard } from './rate-limit/password-guard.ts';
import { createRateLimits } from './rate-limit/policies.ts';
import { createLoginFlow } from './sessions/login.ts';
import { createSessionLookup } from './sessions/lookup.ts';
import { createCoherentCache } from './auth/coherent-cache.ts';
import { createRevokingTransaction } from './sessions/revoking-transaction.ts';
import { postsRoutes } from './posts/routes.ts';
import { createSessionRevocation } from './sessions/revocation.ts';
import { sessionsRoutes } from './sessions/routes.ts';
import { createSessionsService } from './sessions/service.ts';
import { usersRoutes } from './users/routes.ts';
import { createUsersService } from './users/service.ts';
import { createTokenLookup } from './tokens/lookup.ts';
import { tokensRoutes } from './tokens/routes.ts';
import { createTokensService } from './tokens/service.ts';
import { createClientAuthenticator } from './oauth/client-auth.ts';
import { createIntrospection } from './oauth/introspection.ts';
import { OAUTH_FORM_PATHS, oauthRoutes } from './oauth/routes.ts';
import { createOAuthService } from './oauth/service.ts';
import { defaultConsoleDirectory } from './console/build-files.ts';
import { consoleRoutes } from './console/routes.ts';
import { OPERATIONS } from './openapi/registry.ts';
import { openapiRoutes } from './openapi/routes.ts';

/** Everything Tessera needs from outside; nothing is read from globals. */
export interface TesseraDependencies {
  readonly db: Db;
  readonly config: Config;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Defaults to argon2id with OWASP's parameters; tests pass cheaper ones. */
  readonly passwords?: PasswordHasher;
  /**
   * Redis for counters shared between instances. Defaults to a client for
   * `config.redisUrl` when that is set (closed by `close()`); without either,
   * counters live in this process's memory.
   */
  readonly redis?: Redis;
  /** Prefix of every Redis key Tessera writes (default: `config.redisKeyPrefix`). */
  readonly redisPrefix?: string;
  /**
   * A Prometheus registry to record Tessera's metrics in. Default: a new one
   * when `config.metricsPort` is set, none otherwise (then nothing is
   * measured and the hot path carries no instrumentation).
   */
  readonly metricsRegistry?: Registry;
  /** Where the built web console is (default: `dist/console/` of this package); served unless CONSOLE=off. */
  readonly consoleDir?: string;
}

export { API_PREFIX };

/**
 * Tessera as parts for a Koa app of your own: the request pipeline, the
 * routes, the auth middleware, and the services behind them.
 *
 * @example
 * import Koa from 'koa';
 * import Router from '@koa/router';
 * import { createDb, createTessera, loadConfig, migrateToLatest } from 'tessera';
 *
 * const config = loadConfig();
 * const db = createDb(config.databaseUrl);
 * await migrateToLatest(db);
 * const tessera = createTessera({ db, config });
 *
 * const reports = new Router().get('/reports', tessera.auth.requireAuth(), (ctx) => {
 *   ctx.body = { owner: ctx.state.user.username };
 * });
 * const app = new Koa();
 * app.use(tessera.middleware());   // request id, logs, JSON errors, JSON bodies
 * app.use(tessera.routes());       // /api/v1/login, /refresh, … and /healthz
 * app.use(reports.routes());
 * app.listen(3000);
 */
export function createTessera(deps: TesseraDependencies) {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? createSilentLogger();
  const { db, config } = deps;
  const ownRedis = !deps.redis && config.redisUrl ? createRedis(config.redisUrl) : undefined;
  const redis = deps.redis ?? ownRedis;
  const redisPrefix = deps.redisPrefix ?? config.redisKeyPrefix;
  const redisStatus: RedisStatus = redis ? watchRedis(redis, logger) : REDIS_OFF;
  const outage = createOutageMonitor(db, logger);
  const readiness = createReadiness({ db, redisStatus, outage });
  const metrics =
    deps.metricsRegistry || config.metricsPort !== undefined ? createMetrics(deps.metricsRegistry) : undefined;
  const backend: CounterBackend = redis
    ? { kind: 'redis', redis, prefix: redisPrefix }
    : { kind: 'memory' };

  // This process in `revocation_epochs` and on the invalidation bus.
  const origin = randomUUID();
  const coherentCache = createCoherentCache({ db, config, redis, redisStatus, redisPrefix, origin, logger });
  const cache = metrics ? countingCacheLookups(coherentCache.cache, metrics) : coherentCache.cache;
  const lookup = createSessionLookup(db);
  const tokenLookup = createTokenLookup(db);
  const revokingTransaction = createRevokingTransaction({
    db,
    clock,
    origin,
    cache,
    bus: coherentCache.bus,
    logger,
  });

  const audit = createAuditLog({ db, clock });
  const sessions = createSessionsService({
    db,
    clock,
    lifetimes: config,
    audit,
    lookup,
    cache,
    revokingTransaction,
  });
  const revocation = createSessionRevocation({ clock, audit, revokingTransaction });
  const passwords = deps.passwords ?? createPasswordHasher(OWASP_ARGON2_PARAMETERS, config.passwordHashConcurrency);
  const users = createUsersService({
    db,
    clock,
    passwords: metrics ? timingPasswords(passwords, metrics) : passwords,
    revokingTransaction,
    audit,
  });
  const admin = createAdminService({ db, clock, audit, revocation, revokingTransaction });
  const auditTrail = createAuditService({ db });
  const posts = createPostsService({ db, clock });
  const tokens = createTokensService({
    db,
    clock,
    lifetimes: config,
    audit,
    lookup: tokenLookup,
    cache,
    revokingTransaction,
  });
  const clientAuth = createClientAuthenticator({ db, clock, cache });
  const oauth = createOAuthService({ db, clock, audit, tokens, clientAuth, revokingTransaction });
  const introspect = createIntrospection({ db, clock, accessTokenTtl: config.accessTokenTtl, sessions, tokens });
  // Browser sessions: tokens in HttpOnly cookies, held to an Origin check (API.md, "Browser sessions").
  const browser = {
    cookies: createBrowserCookies({ secure: config.cookieSecure }),
    originAllowed: createOriginCheck(config),
  };
  const auth: AuthMiddleware = createAuthMiddleware(sessions, tokens, {
    browser,
    ...(metrics ? { onOutcome: metrics.authOutcome } : {}),
  });
  const refusalAudit = createRefusalAudit({ db, clock, logger });
  const refusals = metrics ? countingRefusals(refusalAudit, metrics) : refusalAudit;
  const limits = createRateLimits({ config, backend, redisStatus, refusals, logger });
  const guardPassword = createPasswordGuard({
    throttle: limits.loginThrottle,
    refusals,
    settings: config.loginThrottle,
  });
  const plainLoginFlow = createLoginFlow({ users, sessions, accountKeys: createAccountKeys({ db }), guardPassword });
  const loginFlow = metrics ? countingLogins(plainLoginFlow, metrics) : plainLoginFlow;
  metrics?.readAtScrape({
    cacheSize: () => cache.size,
    invalidationChannel: () => coherentCache.bus?.hearing() ?? false,
    dependencies: async () => {
      const report = await readiness.check();
      return { database: report.database === 'up', redis: report.redis === 'up' };
    },
    ...(passwords.queue ? { passwordQueue: passwords.queue } : {}),
  });

  // A request passes through each router before the one holding its route, and each costs a
  // path match (and @koa/router reads ctx.host each time): the routers of the busiest routes come
  // first: GET /me, then introspection (every request of a resource server), then refresh.
  const routers: Router<TesseraState>[] = [
    usersRoutes({ users, auth, limits, guardPassword }),
    oauthRoutes({ oauth, introspect, clientAuth, auth, limits }),
    sessionsRoutes({ loginFlow, sessions, revocation, auth, limits, browser }),
    myAuditRoutes({ audit: auditTrail, auth }),
    // Before the admin router: its catch-all would answer /admin/tokens and /admin/clients first.
    tokensRoutes({ tokens, auth }),
    adminRoutes({ admin, audit: auditTrail, auth }),
    postsRoutes({ posts, auth }),
    healthRoutes(readiness),
    openapiRoutes(OPERATIONS),
  ];

  return {
    auth,
    cache,
    /** Whether Redis is usable now (`/readyz`, the limiters and the invalidation bus ask it). */
    redisStatus,
    /** What `/readyz` reports; `drain()` turns it unready when shutdown begins. */
    readiness,
    /** The Prometheus registry Tessera records in (serve it with `startMetricsServer`); undefined when metrics are off. */
    metrics: metrics?.registry,
    services: { users, sessions, revocation, admin, audit: auditTrail, posts, tokens, oauth },
    /** The routers behind `routes()`, for reading their route tables (the OpenAPI conformance test). */
    routers: routers as readonly Router<TesseraState>[],

    /** The request pipeline Tessera's own routes expect; mount it first. */
    middleware(): Middleware<TesseraState> {
      return compose(withoutPassThroughs([
        ...(metrics ? [httpMetrics(metrics)] : []),
        requestId(),
        clientAddress(config.trustProxy),
        requestLogger(logger),
        errorHandler(logger, outage),
        securityHeaders(),
        ...(config.corsOrigins.length > 0 ? [corsFor(config.corsOrigins)] : []),
        // Before the limiters and the body parser: a forged cookie request changes nothing, counts nothing.
        csrfGuard(browser.cookies, browser.originAllowed),
        limits.global,
        jsonBody({ ownParserPaths: OAUTH_FORM_PATHS }),
      ]));
    },

    /**
     * Wraps the Koa app's request listener in the express lane for cached
     * `GET /me` and introspection (http/express-lane.ts). Only for an app that
     * runs Tessera's pipeline and routes at its root, as `createApp`'s does:
     * the lane answers as they would.
     */
    expressLane: createExpressLane({
      sessions,
      tokens,
      clientAuth,
      introspect,
      limits,
      trustedHops: config.trustProxy,
      cors: config.corsOrigins.length > 0,
      logger,
      metrics,
    }),

    /** Resolves once the session cache can hear revocations made elsewhere (or after a short wait). */
    ready: (): Promise<void> => coherentCache.ready(),

    /** Closes what Tessera opened itself: the lookup connections, the watch, the subscription, its Redis client. */
    async close(): Promise<void> {
      await lookup.close();
      await tokenLookup.close();
      await coherentCache.close();
      outage.close();
      if (ownRedis) ownRedis.disconnect();
    },

    /** Tessera's routes (API under /api/v1, probes at the root, the console at /console/), with 405 handling. */
    routes(): Middleware<TesseraState> {
      // The console last: API requests are answered before they reach its path check.
      const webConsole = config.webConsole
        ? [consoleRoutes({ dir: deps.consoleDir ?? defaultConsoleDirectory(), logger })]
        : [];
      return compose([
        // One 405/OPTIONS step for all routers: it reads the routes every router matched
        // (ctx.matched), so one wrapper does what one per router did, for one promise per request.
        routers[0]!.allowedMethods(),
        ...routers.map((router) => router.routes()),
        ...webConsole,
      ]) as Middleware<TesseraState>;
    },
  };
}

export type Tessera = ReturnType<typeof createTessera>;
