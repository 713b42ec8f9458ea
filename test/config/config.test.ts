import test from 'ava';
import { ConfigError, parseConfig } from '../../src/config/config.ts';

test('defaults match API.md', (t) => {
  const config = parseConfig({});
  t.like(config, {
    port: 3000,
    host: '0.0.0.0',
    databaseUrl: './data/tessera.sqlite',
    redisUrl: undefined,
    accessTokenTtl: 900,
    sessionIdleTtl: 14 * 24 * 3600,
    sessionMaxTtl: 30 * 24 * 3600,
    refreshReuseLeeway: 10,
    admin: undefined,
    rateLimit: true,
    trustProxy: 0,
    logLevel: 'info',
  });
  t.true(Object.isFrozen(config));
});

test('values are read and typed', (t) => {
  const config = parseConfig({
    PORT: '8080',
    ACCESS_TOKEN_TTL: '60',
    RATE_LIMIT: 'off',
    TRUST_PROXY: 'true',
    ADMIN_USERNAME: 'root',
    ADMIN_PASSWORD: 'a long admin password',
    LOG_LEVEL: 'debug',
  });
  t.is(config.port, 8080);
  t.is(config.accessTokenTtl, 60);
  t.false(config.rateLimit);
  t.is(config.trustProxy, 1);
  t.deepEqual(config.admin, { username: 'root', password: 'a long admin password' });
  t.is(config.logLevel, 'debug');
});

test('a bad value is one line naming the variable', (t) => {
  const error = t.throws(() => parseConfig({ ACCESS_TOKEN_TTL: 'soon' }), {
    instanceOf: ConfigError,
  });
  t.regex(error.message, /ACCESS_TOKEN_TTL/);
  t.false(error.message.includes('\n'));
});

test('every problem is reported at once', (t) => {
  const error = t.throws(() =>
    parseConfig({ PORT: '99999', RATE_LIMIT: 'maybe', LOG_LEVEL: 'loud', TRUST_PROXY: 'yes' }),
  );
  for (const name of ['PORT', 'RATE_LIMIT', 'LOG_LEVEL', 'TRUST_PROXY']) {
    t.regex(error.message, new RegExp(name));
  }
});

test('the admin variables go together and the idle TTL fits in the max TTL', (t) => {
  t.regex(t.throws(() => parseConfig({ ADMIN_USERNAME: 'root' })).message, /ADMIN_PASSWORD/);
  t.regex(
    t.throws(() => parseConfig({ SESSION_IDLE_TTL: '100', SESSION_MAX_TTL: '50' })).message,
    /SESSION_IDLE_TTL/,
  );
});

test('TRUST_PROXY is true (one hop), false, or a number of hops; anything else stops start-up', (t) => {
  t.is(parseConfig({ TRUST_PROXY: 'true' }).trustProxy, 1);
  t.is(parseConfig({ TRUST_PROXY: 'false' }).trustProxy, 0);
  t.is(parseConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
  for (const bad of ['0', '-1', '1.5', 'yes', '100']) {
    const error = t.throws(() => parseConfig({ TRUST_PROXY: bad }), { instanceOf: ConfigError });
    t.regex(error.message, /TRUST_PROXY/);
  }
});

test('the account-wide throttle ceiling is at most 100 and not below the per-address threshold', (t) => {
  t.is(parseConfig({}).loginThrottle.accountThreshold, 100);
  t.regex(t.throws(() => parseConfig({ LOGIN_THROTTLE_ACCOUNT_THRESHOLD: '101' }))!.message, /LOGIN_THROTTLE_ACCOUNT_THRESHOLD/);
  const below = () => parseConfig({ LOGIN_THROTTLE_THRESHOLD: '10', LOGIN_THROTTLE_ACCOUNT_THRESHOLD: '5' });
  t.regex(t.throws(below)!.message, /LOGIN_THROTTLE_ACCOUNT_THRESHOLD/);
});
