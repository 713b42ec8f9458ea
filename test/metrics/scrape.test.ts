import test, { type ExecutionContext } from 'ava';
import { Registry } from 'prom-client';
import { bearer, buildTestApp, PASSWORD, register, signUp, type TestApp } from '../helpers/app.ts';
import { TEST_REDIS_URL } from '../helpers/database.ts';
import { waitFor } from '../helpers/fault-proxy.ts';
import { startMetricsServer } from '../../src/metrics/server.ts';

/** An app with metrics on (METRICS_PORT set) and its metrics server on a free port. */
async function metricsApp(t: ExecutionContext, env: Record<string, string> = {}) {
  const app = await buildTestApp(t, { env: { METRICS_PORT: '0', ...env } });
  const registry = app.tessera.tessera.metrics;
  if (!registry) throw new Error('metrics are off');
  const server = await startMetricsServer(registry, { host: '127.0.0.1', port: 0 });
  t.teardown(() => server.close());
  const scrape = async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };
  return { app, scrape, port: server.port };
}

/** The value of one sample (`name{labels} value`), labels in the order prom-client writes them. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function traffic(app: TestApp) {
  const { tokens } = await signUp(app.request, 'alice'); // login succeeded
  await app.request.post('/api/v1/login').send({ username: 'alice', password: 'not the password' }).expect(401); // failed
  await app.request.post('/api/v1/login').send({ username: 'alice', password: 'not the password' }).expect(429); // throttled
  await app.request.get('/api/v1/me').expect(401); // token_missing
  await app.request.get('/api/v1/me').set(bearer('tsr_at_1nonsense')).expect(401); // token_invalid
  await app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200); // cache miss
  await app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200); // cache hit
  await app.request.get('/api/v1/sessions/00000000-0000-4000-8000-000000000000').set(bearer(tokens.access_token)).expect(405);
  await app.request.delete('/api/v1/sessions/00000000-0000-4000-8000-000000000000').set(bearer(tokens.access_token)).expect(404);
  await app.request.get('/no/such/path').expect(404);
  return tokens;
}

test('after a few requests every family is there with plausible values', async (t) => {
  const { app, scrape } = await metricsApp(t, { LOGIN_THROTTLE_THRESHOLD: '1', LOGIN_THROTTLE_ACCOUNT_THRESHOLD: '1' });
  await traffic(app);
  const { status, type, text } = await scrape();
  t.is(status, 200);
  t.regex(type ?? '', /^text\/plain; version=0\.0\.4/);

  // Requests by route pattern (never the raw URL), method and status, with a latency histogram.
  const me = 'tessera_http_request_duration_seconds_count{route="/api/v1/me",method="GET",status="200"}';
  t.is(sample(text, me), 2);
  t.is(sample(text, 'tessera_http_request_duration_seconds_count{route="/api/v1/me",method="GET",status="401"}'), 2);
  t.is(sample(text, 'tessera_http_request_duration_seconds_count{route="/api/v1/login",method="POST",status="429"}'), 1);
  t.is(sample(text, 'tessera_http_request_duration_seconds_count{route="/api/v1/sessions/:id",method="DELETE",status="404"}'), 1);
  t.is(sample(text, 'tessera_http_request_duration_seconds_count{route="unmatched",method="GET",status="404"}'), 1);
  t.false(text.includes('00000000-0000-4000'), 'no raw ids in labels');
  const meSum = sample(text, 'tessera_http_request_duration_seconds_sum{route="/api/v1/me",method="GET",status="200"}')!;
  t.true(meSum > 0 && meSum < 10);
  t.is(sample(text, 'tessera_http_request_duration_seconds_bucket{le="+Inf",route="/api/v1/me",method="GET",status="200"}'), 2);

  // Authentication outcomes by error code.
  t.is(sample(text, 'tessera_auth_outcomes_total{outcome="ok"}'), 3);
  t.is(sample(text, 'tessera_auth_outcomes_total{outcome="token_missing"}'), 1);
  t.is(sample(text, 'tessera_auth_outcomes_total{outcome="token_invalid"}'), 1);
  t.is(sample(text, 'tessera_auth_outcomes_total{outcome="token_revoked"}'), 0);

  // Logins, and the 429 by the limit that refused it.
  t.is(sample(text, 'tessera_logins_total{outcome="succeeded"}'), 1);
  t.is(sample(text, 'tessera_logins_total{outcome="failed"}'), 1);
  t.is(sample(text, 'tessera_logins_total{outcome="throttled"}'), 1);
  t.regex(text, /^tessera_rate_limited_total\{limit="login_[a-z_]*failures"\} 1$/m);

  // The password hash: one hash (registration), two verifications (the throttled attempt never hashed).
  t.is(sample(text, 'tessera_password_hash_duration_seconds_count{operation="hash"}'), 1);
  t.is(sample(text, 'tessera_password_hash_duration_seconds_count{operation="verify"}'), 2);
  t.is(sample(text, 'tessera_password_hash_queue_length'), 0);
  t.is(sample(text, 'tessera_password_hash_active'), 0);

  // The session cache: the first GET /me missed and cached, the second hit.
  const hits = sample(text, 'tessera_session_cache_lookups_total{result="hit"}')!;
  const misses = sample(text, 'tessera_session_cache_lookups_total{result="miss"}')!;
  t.true(hits >= 2, `hits ${hits}`); // GET /me and the DELETE after it
  t.true(misses >= 1, `misses ${misses}`);
  t.true(sample(text, 'tessera_session_cache_entries')! >= 1);

  // Dependencies, read at scrape time.
  t.is(sample(text, 'tessera_database_up'), 1);
  t.is(sample(text, 'tessera_redis_up'), TEST_REDIS_URL ? 1 : 0);
  t.true([0, 1].includes(sample(text, 'tessera_invalidation_channel_connected')!));

  // Default process metrics, in this instance's registry.
  t.true(sample(text, 'process_cpu_user_seconds_total')! > 0);
  t.regex(text, /^nodejs_eventloop_lag_seconds /m);
});

test('the invalidation channel gauge follows the bus: 1 while it hears with Redis, 0 without', async (t) => {
  const { scrape } = await metricsApp(t);
  if (!TEST_REDIS_URL) {
    t.is(sample((await scrape()).text, 'tessera_invalidation_channel_connected'), 0);
    return;
  }
  await waitFor('the channel gauge at 1', async () => sample((await scrape()).text, 'tessera_invalidation_channel_connected') === 1, 10_000);
  t.is(sample((await scrape()).text, 'tessera_redis_up'), 1);
});

test('a rate-limited route is counted by its limit', async (t) => {
  const { app, scrape } = await metricsApp(t, { RATE_LIMIT_REGISTER: '1/60' });
  await register(app.request, 'alice');
  const refused = await app.request.post('/api/v1/users').send({ username: 'bob', password: PASSWORD }).expect(429);
  t.is(refused.body.error, 'rate_limited');
  const { text } = await scrape();
  t.is(sample(text, 'tessera_rate_limited_total{limit="register"}'), 1);
  t.is(sample(text, 'tessera_http_request_duration_seconds_count{route="/api/v1/users",method="POST",status="429"}'), 1);
});

test('the public port answers 404 for /metrics; the metrics port serves nothing else', async (t) => {
  const { app, port } = await metricsApp(t);
  const response = await app.request.get('/metrics').expect(404);
  t.is(response.body.error, 'not_found');
  const other = await fetch(`http://127.0.0.1:${port}/api/v1/me`);
  t.is(other.status, 404);
  await other.arrayBuffer();
  const post = await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' });
  t.is(post.status, 404);
  await post.arrayBuffer();
});

test('two instances in one process keep separate registries; metrics are off without METRICS_PORT', async (t) => {
  const first = await metricsApp(t);
  const second = await metricsApp(t);
  await first.app.request.get('/healthz').expect(200);
  t.is(sample((await first.scrape()).text, 'tessera_http_request_duration_seconds_count{route="/healthz",method="GET",status="200"}'), 1);
  t.is(sample((await second.scrape()).text, 'tessera_http_request_duration_seconds_count{route="/healthz",method="GET",status="200"}'), undefined);

  const plain = await buildTestApp(t);
  t.is(plain.tessera.tessera.metrics, undefined);
});

test('an embedding app can pass its own registry', async (t) => {
  const registry = new Registry();
  const { createTessera } = await import('../../src/tessera.ts');
  const { parseConfig } = await import('../../src/config/config.ts');
  const { openTestDb } = await import('../helpers/database.ts');
  const tessera = createTessera({ db: await openTestDb(t), config: parseConfig({}), metricsRegistry: registry });
  t.teardown(() => tessera.close());
  t.is(tessera.metrics, registry);
  t.truthy(await registry.getSingleMetric('tessera_auth_outcomes_total'));
});
