import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { USERNAME_PATTERN } from '../users/identity.ts';
import { passwordProblem } from '../users/password-policy.ts';

/**
 * Tessera's configuration, parsed once from the environment, validated and
 * frozen. Nothing outside this module reads `process.env`.
 *
 * Every variable is documented in README.md ("Configuration").
 */

/** A whole number of seconds, at least `min`, written as plain digits. */
function seconds(defaultValue: number, min = 1) {
  return z
    .string()
    .regex(/^\d+$/, 'must be a whole number of seconds')
    .transform(Number)
    .pipe(z.number().int().min(min).max(10 * 365 * 24 * 3600))
    .default(defaultValue);
}

/** Only the literal words, never "1"/"yes": a typo should stop start-up, not guess. */
function flag(defaultValue: boolean, on: string, off: string) {
  return z
    .enum([on, off], { message: `must be "${on}" or "${off}"` })
    .transform((value) => value === on)
    .default(defaultValue);
}

/** A rate limit written `count/seconds`, e.g. `100/900` = 100 requests per 15 minutes. */
function rateLimit(defaultValue: string) {
  return z
    .string()
    .default(defaultValue)
    .pipe(
      z
        .string()
        .regex(/^\d+\/\d+$/, 'must be COUNT/SECONDS, e.g. 100/900')
        .transform((value) => {
          const [max, seconds] = value.split('/').map(Number) as [number, number];
          return { max, seconds };
        })
        .refine((limit) => limit.max >= 1 && limit.seconds >= 1, 'count and seconds must be at least 1'),
    );
}

function wholeNumber(defaultValue: number, min: number, max: number) {
  return z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .default(defaultValue);
}

const optionalText = z
  .string()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const schema = z
  .object({
    PORT: z
      .string()
      .regex(/^\d+$/, 'must be a port number')
      .transform(Number)
      .pipe(z.number().int().min(0).max(65535))
      .default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATABASE_URL: z.string().min(1).default('./data/tessera.sqlite'),
    DATABASE_POOL_MAX: wholeNumber(10, 1, 1000),
    DATABASE_TIMEOUT: seconds(5),
    SHUTDOWN_TIMEOUT: seconds(10),
    HTTP_HEADERS_TIMEOUT: seconds(20),
    HTTP_REQUEST_TIMEOUT: seconds(30),
    HTTP_KEEP_ALIVE_TIMEOUT: seconds(5),
    REDIS_URL: optionalText.pipe(
      z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
    ),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9:_.-]{1,64}$/, 'must be 1 to 64 of A-Z a-z 0-9 : _ . -')
      .default('tessera:'),
    ACCESS_TOKEN_TTL: seconds(900),
    SESSION_IDLE_TTL: seconds(14 * 24 * 3600),
    SESSION_MAX_TTL: seconds(30 * 24 * 3600),
    REFRESH_REUSE_LEEWAY: seconds(10, 0),
    PAT_DEFAULT_TTL: seconds(30 * 24 * 3600, 60),
    PAT_MAX_TTL: seconds(365 * 24 * 3600, 60),
    ADMIN_USERNAME: optionalText,
    ADMIN_PASSWORD: optionalText,
    SESSION_RETENTION: seconds(7 * 24 * 3600, 0),
    AUDIT_RETENTION: seconds(90 * 24 * 3600, 0),
    PRUNE_INTERVAL: seconds(3600, 0),
    AUTH_CACHE: z.enum(['auto', 'on', 'off'], { message: 'must be "auto", "on" or "off"' }).default('auto'),
    AUTH_CACHE_SIZE: wholeNumber(10_000, 1, 10_000_000),
    AUTH_CACHE_TTL: seconds(30),
    PASSWORD_HASH_CONCURRENCY: wholeNumber(Math.max(1, availableParallelism() - 1), 1, 256),
    RATE_LIMIT: flag(true, 'on', 'off'),
    RATE_LIMIT_GLOBAL: rateLimit('600/60'),
    RATE_LIMIT_REGISTER: rateLimit('20/3600'),
    RATE_LIMIT_LOGIN: rateLimit('100/900'),
    RATE_LIMIT_LOGIN_ACCOUNT: rateLimit('30/900'),
    RATE_LIMIT_REFRESH: rateLimit('120/60'),
    RATE_LIMIT_INTROSPECT: rateLimit('6000/60'),
    LOGIN_THROTTLE_THRESHOLD: wholeNumber(5, 1, 100),
    LOGIN_THROTTLE_BASE_DELAY: seconds(1),
    LOGIN_THROTTLE_MAX_DELAY: seconds(900),
    LOGIN_THROTTLE_ACCOUNT_THRESHOLD: wholeNumber(100, 1, 100),
    CORS_ORIGINS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, 'must be * or origins like https://app.example.com, comma-separated'),
        ),
      ),
    TRUST_PROXY: z
      .string()
      .regex(/^(true|false|[1-9]\d{0,1})$/, 'must be "true", "false" or a number of proxy hops (1 to 99)')
      .transform((value) => (value === 'true' ? 1 : value === 'false' ? 0 : Number(value)))
      .default(0),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    COOKIE_SECURE: flag(true, 'true', 'false'),
    PUBLIC_URL: optionalText.pipe(
      z
        .string()
        .refine(isPlainOrigin, 'must be an origin like https://auth.example.com (scheme, host, optional port; no path)')
        .transform((value) => new URL(value).origin)
        .optional(),
    ),
    CONSOLE: flag(true, 'on', 'off'),
    METRICS_PORT: optionalText.pipe(
      z
        .string()
        .regex(/^\d+$/, 'must be a port number')
        .transform(Number)
        .pipe(z.number().int().min(0).max(65535))
        .optional(),
    ),
  })
  .superRefine((env, issues) => {
    if (Boolean(env.ADMIN_USERNAME) !== Boolean(env.ADMIN_PASSWORD)) {
      issues.addIssue({
        code: 'custom',
        path: [env.ADMIN_USERNAME ? 'ADMIN_PASSWORD' : 'ADMIN_USERNAME'],
        message: 'ADMIN_USERNAME and ADMIN_PASSWORD must be set together',
      });
    }
    if (env.ADMIN_USERNAME && env.ADMIN_PASSWORD) adminProblems(env.ADMIN_USERNAME, env.ADMIN_PASSWORD, issues);
    if (env.LOGIN_THROTTLE_ACCOUNT_THRESHOLD < env.LOGIN_THROTTLE_THRESHOLD) {
      issues.addIssue({
        code: 'custom',
        path: ['LOGIN_THROTTLE_ACCOUNT_THRESHOLD'],
        message: 'must not be lower than LOGIN_THROTTLE_THRESHOLD',
      });
    }
    if (env.HTTP_HEADERS_TIMEOUT > env.HTTP_REQUEST_TIMEOUT) {
      // Node refuses a headers timeout longer than the request timeout.
      issues.addIssue({
        code: 'custom',
        path: ['HTTP_HEADERS_TIMEOUT'],
        message: 'must not be longer than HTTP_REQUEST_TIMEOUT',
      });
    }
    if (env.PAT_DEFAULT_TTL > env.PAT_MAX_TTL) {
      issues.addIssue({ code: 'custom', path: ['PAT_DEFAULT_TTL'], message: 'must not be longer than PAT_MAX_TTL' });
    }
    if (env.SESSION_IDLE_TTL > env.SESSION_MAX_TTL) {
      issues.addIssue({
        code: 'custom',
        path: ['SESSION_IDLE_TTL'],
        message: 'must not be longer than SESSION_MAX_TTL',
      });
    }
  });

/** `https://host[:port]` and nothing more: PUBLIC_URL is compared with browsers' `Origin` headers. */
function isPlainOrigin(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.username === '' &&
    url.password === '' &&
    url.pathname === '/' &&
    url.search === '' &&
    url.hash === '' &&
    !value.endsWith('?') &&
    !value.endsWith('#')
  );
}

/**
 * The start-up admin must pass the rules every account passes, checked here
 * so a weak ADMIN_PASSWORD stops start-up with the one-line configuration
 * message instead of failing later, mid-way, with a stack trace.
 */
function adminProblems(username: string, password: string, issues: z.RefinementCtx): void {
  if (!USERNAME_PATTERN.test(username.normalize('NFKC'))) {
    issues.addIssue({
      code: 'custom',
      path: ['ADMIN_USERNAME'],
      message: 'must be 3 to 32 characters of A-Z a-z 0-9 . _ -',
    });
    return;
  }
  const problem = passwordProblem(password, { username: username.normalize('NFKC') });
  if (problem) issues.addIssue({ code: 'custom', path: ['ADMIN_PASSWORD'], message: problem });
}

export interface Config {
  readonly port: number;
  readonly host: string;
  /** A SQLite file path, `:memory:`, or a `postgres://` URL. */
  readonly databaseUrl: string;
  /** Most connections in the PostgreSQL pool (SQLite always uses one). */
  readonly databasePoolMax: number;
  /** Seconds to get a connection, open one, or run one statement before answering 503. */
  readonly databaseTimeout: number;
  /** Seconds a stop signal gives in-flight requests before the remaining connections are cut. */
  readonly shutdownTimeout: number;
  /** Node's server timeouts, in seconds: whole headers, whole request, idle keep-alive socket. */
  readonly httpTimeouts: {
    readonly headers: number;
    readonly request: number;
    readonly keepAlive: number;
  };
  readonly redisUrl: string | undefined;
  /** Prefix of every Redis key, so several deployments can share one Redis. */
  readonly redisKeyPrefix: string;
  /** Lifetimes, in seconds. */
  readonly accessTokenTtl: number;
  readonly sessionIdleTtl: number;
  readonly sessionMaxTtl: number;
  readonly refreshReuseLeeway: number;
  /** Personal access tokens: the lifetime when `expires_in` is not given, and the longest allowed. */
  readonly patDefaultTtl: number;
  readonly patMaxTtl: number;
  readonly admin: { readonly username: string; readonly password: string } | undefined;
  /** Seconds a dead session row is kept, seconds an audit event is kept, seconds between prunes (0 = off). */
  readonly sessionRetention: number;
  readonly auditRetention: number;
  readonly pruneInterval: number;
  /**
   * The in-process cache of resolved access tokens. `auto` turns it on
   * except on PostgreSQL without Redis, where other instances could not be
   * told about revocations.
   */
  readonly authCache: {
    readonly mode: 'auto' | 'on' | 'off';
    readonly maxEntries: number;
    readonly ttlSeconds: number;
  };
  /** argon2 computations at once (default: one less than the cores, at least 1). */
  readonly passwordHashConcurrency: number;
  readonly rateLimit: boolean;
  readonly rateLimits: {
    readonly global: RateLimit;
    readonly register: RateLimit;
    readonly login: RateLimit;
    readonly loginAccount: RateLimit;
    readonly refresh: RateLimit;
    /** POST /oauth/introspect, per service client. */
    readonly introspect: RateLimit;
  };
  /**
   * Failed logins per (account, client address) before delays start, the
   * delays in seconds, and the much higher count at which the account as a
   * whole is slowed, from every address (NIST SP 800-63B: at most 100).
   */
  readonly loginThrottle: {
    readonly threshold: number;
    readonly accountThreshold: number;
    readonly baseDelay: number;
    readonly maxDelay: number;
  };
  /** Origins allowed to call from browsers; empty = CORS off. */
  readonly corsOrigins: readonly string[];
  /** Proxy hops in front of Tessera that append to X-Forwarded-For (`true` = 1); 0 = use the TCP peer. */
  readonly trustProxy: number;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Cookie sessions: `Secure` and the `__Host-`/`__Secure-` name prefixes (false only for plain-HTTP development). */
  readonly cookieSecure: boolean;
  /** The origin clients use (`https://auth.example.com`), for CSRF checks; unset = the request's scheme and Host. */
  readonly publicUrl: string | undefined;
  /** Port of the Prometheus `/metrics` server on `host`; unset = no metrics. */
  readonly metricsPort: number | undefined;
  /** The web console at /console/ (CONSOLE=off removes it). */
  readonly webConsole: boolean;
}

export interface RateLimit {
  readonly max: number;
  readonly seconds: number;
}

/** Thrown with one line per bad variable, so start-up can print it and stop. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses and validates `env` (every problem at once), and freezes the result. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map(
      (issue) => `${String(issue.path[0] ?? 'configuration')}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  const parsed = result.data;
  return Object.freeze({
    port: parsed.PORT,
    host: parsed.HOST,
    databaseUrl: parsed.DATABASE_URL,
    databasePoolMax: parsed.DATABASE_POOL_MAX,
    databaseTimeout: parsed.DATABASE_TIMEOUT,
    shutdownTimeout: parsed.SHUTDOWN_TIMEOUT,
    httpTimeouts: Object.freeze({
      headers: parsed.HTTP_HEADERS_TIMEOUT,
      request: parsed.HTTP_REQUEST_TIMEOUT,
      keepAlive: parsed.HTTP_KEEP_ALIVE_TIMEOUT,
    }),
    redisUrl: parsed.REDIS_URL,
    redisKeyPrefix: parsed.REDIS_KEY_PREFIX,
    accessTokenTtl: parsed.ACCESS_TOKEN_TTL,
    sessionIdleTtl: parsed.SESSION_IDLE_TTL,
    sessionMaxTtl: parsed.SESSION_MAX_TTL,
    refreshReuseLeeway: parsed.REFRESH_REUSE_LEEWAY,
    patDefaultTtl: parsed.PAT_DEFAULT_TTL,
    patMaxTtl: parsed.PAT_MAX_TTL,
    admin:
      parsed.ADMIN_USERNAME && parsed.ADMIN_PASSWORD
        ? Object.freeze({ username: parsed.ADMIN_USERNAME, password: parsed.ADMIN_PASSWORD })
        : undefined,
    sessionRetention: parsed.SESSION_RETENTION,
    auditRetention: parsed.AUDIT_RETENTION,
    pruneInterval: parsed.PRUNE_INTERVAL,
    authCache: Object.freeze({
      mode: parsed.AUTH_CACHE,
      maxEntries: parsed.AUTH_CACHE_SIZE,
      ttlSeconds: parsed.AUTH_CACHE_TTL,
    }),
    passwordHashConcurrency: parsed.PASSWORD_HASH_CONCURRENCY,
    rateLimit: parsed.RATE_LIMIT,
    rateLimits: Object.freeze({
      global: parsed.RATE_LIMIT_GLOBAL,
      register: parsed.RATE_LIMIT_REGISTER,
      login: parsed.RATE_LIMIT_LOGIN,
      loginAccount: parsed.RATE_LIMIT_LOGIN_ACCOUNT,
      refresh: parsed.RATE_LIMIT_REFRESH,
      introspect: parsed.RATE_LIMIT_INTROSPECT,
    }),
    loginThrottle: Object.freeze({
      threshold: parsed.LOGIN_THROTTLE_THRESHOLD,
      accountThreshold: parsed.LOGIN_THROTTLE_ACCOUNT_THRESHOLD,
      baseDelay: parsed.LOGIN_THROTTLE_BASE_DELAY,
      maxDelay: parsed.LOGIN_THROTTLE_MAX_DELAY,
    }),
    corsOrigins: Object.freeze(parsed.CORS_ORIGINS),
    trustProxy: parsed.TRUST_PROXY,
    logLevel: parsed.LOG_LEVEL,
    cookieSecure: parsed.COOKIE_SECURE,
    publicUrl: parsed.PUBLIC_URL,
    metricsPort: parsed.METRICS_PORT,
    webConsole: parsed.CONSOLE,
  });
}

/**
 * Reads `.env` (if present) into the process environment without overriding
 * variables that are already set, then parses the environment.
 */
export function loadConfig(envFile = '.env'): Config {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  return parseConfig(process.env);
}
