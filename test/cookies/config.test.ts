import test from 'ava';
import { ConfigError, parseConfig } from '../../src/config/config.ts';

test('COOKIE_SECURE defaults to true and takes only true or false', (t) => {
  t.true(parseConfig({}).cookieSecure);
  t.false(parseConfig({ COOKIE_SECURE: 'false' }).cookieSecure);
  const error = t.throws(() => parseConfig({ COOKIE_SECURE: 'no' }), { instanceOf: ConfigError });
  t.regex(error!.message, /COOKIE_SECURE: must be "true" or "false"/);
});

test('PUBLIC_URL is an origin, stored normalised; a path, query or credentials stop start-up', (t) => {
  t.is(parseConfig({}).publicUrl, undefined);
  t.is(parseConfig({ PUBLIC_URL: '' }).publicUrl, undefined);
  t.is(parseConfig({ PUBLIC_URL: 'https://Auth.Example.com' }).publicUrl, 'https://auth.example.com');
  t.is(parseConfig({ PUBLIC_URL: 'https://auth.example.com:443/' }).publicUrl, 'https://auth.example.com');
  t.is(parseConfig({ PUBLIC_URL: 'http://localhost:3000' }).publicUrl, 'http://localhost:3000');
  for (const bad of ['auth.example.com', 'ftp://auth.example.com', 'https://auth.example.com/app', 'https://a@auth.example.com', 'https://auth.example.com?x', 'https://auth.example.com#']) {
    const error = t.throws(() => parseConfig({ PUBLIC_URL: bad }), { instanceOf: ConfigError }, bad);
    t.regex(error!.message, /^Invalid configuration: PUBLIC_URL: must be an origin/, bad);
  }
});

test('METRICS_PORT is unset by default and a port number when set', (t) => {
  t.is(parseConfig({}).metricsPort, undefined);
  t.is(parseConfig({ METRICS_PORT: '9464' }).metricsPort, 9464);
  t.throws(() => parseConfig({ METRICS_PORT: '70000' }), { instanceOf: ConfigError, message: /METRICS_PORT/ });
  t.throws(() => parseConfig({ METRICS_PORT: 'nine' }), { instanceOf: ConfigError, message: /METRICS_PORT: must be a port number/ });
});
