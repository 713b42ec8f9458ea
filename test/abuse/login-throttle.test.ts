import test from 'ava';
import { auditRows, bearer, login, PASSWORD, register, signUp } from '../helpers/app.ts';
import { buildCountingApp as buildTestApp } from '../helpers/memory-counters.ts';

type TestApp = Awaited<ReturnType<typeof buildTestApp>>;

// The throttle's delays are real time (rate-limiter-flexible's stores keep
// their own clocks), so these tests use the shortest delays (1 s) and poll.
// Counters are in memory (see memory-counters.ts); sharing them through
// Redis is tested in test/scale/redis-rate-limit.test.ts.

/** For tests that never wait out a delay: on a busy machine a second can pass between two requests. */
const LONG_DELAY = { env: { LOGIN_THROTTLE_BASE_DELAY: '60' } };

const attempt = (app: TestApp, username: string, password = 'a wrong password') =>
  app.request.post('/api/v1/login').send({ username, password });

async function failTimes(app: TestApp, username: string, times: number) {
  for (let i = 0; i < times; i += 1) {
    const response = await attempt(app, username);
    if (response.status !== 401) throw new Error(`attempt ${i + 1} answered ${response.status}`);
  }
}

/**
 * Polls (four times a second, so the per-IP limits never trip) until a
 * request is admitted again (answers anything but 429), and returns it.
 */
async function onceAdmitted<R extends { status: number }>(send: () => Promise<R>): Promise<R> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const response = await send();
    if (response.status !== 429) return response;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('still throttled after 10 s');
}

const attemptOnceAdmitted = (app: TestApp, username: string, password?: string) =>
  onceAdmitted(() => attempt(app, username, password));

test('after 5 failures an account waits, with growing delays, even for the right password', async (t) => {
  const app = await buildTestApp(t);
  await register(app.request, 'amy');
  await failTimes(app, 'amy', 5);

  const blocked = await attempt(app, 'amy', PASSWORD);
  t.is(blocked.status, 429);
  t.is(blocked.body.error, 'rate_limited');
  t.is(blocked.headers['retry-after'], '1');

  t.is((await attemptOnceAdmitted(app, 'amy')).status, 401); // one more try allowed, and it fails
  t.is((await attempt(app, 'amy')).headers['retry-after'], '2');
  t.is((await attemptOnceAdmitted(app, 'amy')).status, 401);
  t.is((await attempt(app, 'amy')).headers['retry-after'], '4');
});

test('the delay is capped by LOGIN_THROTTLE_MAX_DELAY and the threshold is configurable', async (t) => {
  const app = await buildTestApp(t, {
    env: { LOGIN_THROTTLE_THRESHOLD: '2', LOGIN_THROTTLE_BASE_DELAY: '1', LOGIN_THROTTLE_MAX_DELAY: '2' },
  });
  await register(app.request, 'amy');
  await failTimes(app, 'amy', 2);
  t.is((await attempt(app, 'amy')).headers['retry-after'], '1');
  t.is((await attemptOnceAdmitted(app, 'amy')).status, 401);
  t.is((await attempt(app, 'amy')).headers['retry-after'], '2');
  t.is((await attemptOnceAdmitted(app, 'amy')).status, 401);
  t.is((await attempt(app, 'amy')).headers['retry-after'], '2', 'capped: not 4');
});

test('a successful login resets the count', async (t) => {
  const app = await buildTestApp(t);
  await register(app.request, 'amy');
  await failTimes(app, 'amy', 4);
  await login(app.request, 'amy');
  await failTimes(app, 'amy', 4); // would be blocked by now without the reset
  const tokens = await login(app.request, 'amy');
  t.regex(tokens.access_token, /^tsr_at_/);
});

test('another account behind the same IP is not affected', async (t) => {
  const app = await buildTestApp(t, LONG_DELAY);
  await register(app.request, 'amy');
  await register(app.request, 'ben');
  await failTimes(app, 'amy', 5);
  t.is((await attempt(app, 'amy', PASSWORD)).status, 429);
  const ben = await login(app.request, 'ben');
  t.regex(ben.access_token, /^tsr_at_/);
});

test('the per-account throttle trips long before the per-IP login limit', async (t) => {
  const app = await buildTestApp(t, LONG_DELAY); // default limits
  await register(app.request, 'amy');
  await register(app.request, 'ben');
  await failTimes(app, 'amy', 5);
  const blocked = await attempt(app, 'amy');
  t.is(blocked.status, 429);
  t.not(blocked.headers['ratelimit-remaining'], '0'); // the IP limits still have room
  await login(app.request, 'ben');
});

test('unknown account names are throttled the same way, revealing nothing', async (t) => {
  const app = await buildTestApp(t, LONG_DELAY);
  await register(app.request, 'amy');
  // In lockstep, so both delays started at the same moment.
  for (let i = 0; i < 5; i += 1) {
    const [a, b] = await Promise.all([attempt(app, 'amy'), attempt(app, 'nobody')]);
    t.deepEqual([a.status, b.status], [401, 401]);
  }
  const [known, unknown] = await Promise.all([attempt(app, 'amy'), attempt(app, 'nobody')]);
  t.is(known.status, 429);
  t.is(unknown.status, 429);
  t.deepEqual(known.body, unknown.body);
  t.is(known.headers['retry-after'], unknown.headers['retry-after']);
});

test('a refusal is audited with the account id, and an unknown name leaves nothing identifying', async (t) => {
  const app = await buildTestApp(t, LONG_DELAY);
  const amy = await register(app.request, 'amy');
  await failTimes(app, 'amy', 5);
  // A password typed into the username field must not reach the audit trail.
  const typed = 'MySecretPassw0rd';
  await failTimes(app, typed, 5);
  t.is((await attempt(app, 'amy')).status, 429);
  t.is((await attempt(app, typed)).status, 429);

  const events = await auditRows(app.db, 'rate_limited');
  t.is(events.length, 2);
  t.is(String(events[0].user_id), amy.id);
  t.deepEqual(JSON.parse(events[0].detail), { limit: 'login_address_failures', count: 1 });
  t.is(events[1].user_id, null);
  t.deepEqual(JSON.parse(events[1].detail), { limit: 'login_address_failures', count: 1 });
  const everything = JSON.stringify(await app.db('audit_events').select());
  t.false(everything.toLowerCase().includes(typed.toLowerCase()));
});

test('logins by username and by email share one budget', async (t) => {
  const app = await buildTestApp(t, LONG_DELAY);
  await register(app.request, 'amy', { email: 'amy@example.com' });
  await failTimes(app, 'amy', 3);
  for (let i = 0; i < 2; i += 1) {
    await app.request.post('/api/v1/login').send({ email: 'AMY@example.com', password: 'wrong pass' }).expect(401);
  }
  const byEmail = await app.request.post('/api/v1/login').send({ email: 'amy@example.com', password: PASSWORD });
  t.is(byEmail.status, 429);
  t.is((await attempt(app, 'AMY', PASSWORD)).status, 429);
});

test('guessing the current password on PUT /me/password is throttled like failed logins', async (t) => {
  const app = await buildTestApp(t);
  const { user, tokens } = await signUp(app.request, 'amy');
  const changePassword = (current: string) =>
    app.request
      .put('/api/v1/me/password')
      .set(bearer(tokens.access_token))
      .send({ current_password: current, new_password: 'a brand new passphrase' });

  for (let i = 0; i < 5; i += 1) t.is((await changePassword('a wrong guess')).status, 400);
  const blocked = await changePassword(PASSWORD); // even the right password waits
  t.is(blocked.status, 429);
  t.is(blocked.body.error, 'rate_limited');
  t.is(blocked.headers['retry-after'], '1');
  const hash = (await app.db('users').where({ id: user.id }).first()).password_hash;
  t.is((await attempt(app, 'amy', PASSWORD)).status, 429, 'the same account count as logins');

  const [event] = await auditRows(app.db, 'rate_limited');
  t.is(String(event.user_id), user.id);
  t.is(JSON.parse(event.detail).limit, 'login_address_failures');

  const changed = await onceAdmitted(() => changePassword(PASSWORD));
  t.is(changed.status, 200);
  t.not((await app.db('users').where({ id: user.id }).first()).password_hash, hash);
  await failTimes(app, 'amy', 4); // the success reset the count: four more failures are still 401s
});
