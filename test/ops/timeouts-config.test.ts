import test from 'ava';
import { ConfigError, parseConfig } from '../../src/config/config.ts';

test('operations timeouts: defaults, overrides, and a headers timeout longer than the request timeout refused', (t) => {
  const defaults = parseConfig({});
  t.is(defaults.databaseTimeout, 5);
  t.is(defaults.shutdownTimeout, 10);
  t.deepEqual(defaults.httpTimeouts, { headers: 20, request: 30, keepAlive: 5 });

  const set = parseConfig({
    DATABASE_TIMEOUT: '2',
    SHUTDOWN_TIMEOUT: '30',
    HTTP_HEADERS_TIMEOUT: '10',
    HTTP_REQUEST_TIMEOUT: '60',
    HTTP_KEEP_ALIVE_TIMEOUT: '65',
  });
  t.is(set.databaseTimeout, 2);
  t.is(set.shutdownTimeout, 30);
  t.deepEqual(set.httpTimeouts, { headers: 10, request: 60, keepAlive: 65 });

  const inverted = t.throws(() => parseConfig({ HTTP_HEADERS_TIMEOUT: '40', HTTP_REQUEST_TIMEOUT: '30' }), {
    instanceOf: ConfigError,
  });
  t.regex(inverted.message, /HTTP_HEADERS_TIMEOUT: must not be longer than HTTP_REQUEST_TIMEOUT/);
  t.throws(() => parseConfig({ DATABASE_TIMEOUT: '0' }), { message: /DATABASE_TIMEOUT/ });
  t.throws(() => parseConfig({ SHUTDOWN_TIMEOUT: 'soon' }), { message: /SHUTDOWN_TIMEOUT/ });
});
