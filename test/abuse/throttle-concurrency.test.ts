import test, { type ExecutionContext } from 'ava';
import { auditRows, bearer, PASSWORD } from '../helpers/app.ts';
import { buildCountingApp } from '../helpers/memory-counters.ts';

/**
 * An app behind one trusted proxy (X-Forwarded-For picks the client), with
 * counted argon2 verifications; the burst tests count on Redis under the
 * scale suite, the rule tests in memory (memory-counters.ts). A long first
 * delay: on a busy machine a burst can take more than a second to arrive.
 */
function countingApp(t: ExecutionContext, env: Record<string, string> = {}, redis = false) {
  return buildCountingApp(t, { env: { TRUST_PROXY: 'true', LOGIN_THROTTLE_BASE_DELAY: '60', ...env }, redis });
}

/**
 * At most THRESHOLD verifications per store the counts lived in: each time
 * a Redis command times out (a loaded machine, 250 ms) the instance counts
 * in fresh memory until Redis is back, as it must in an outage.
 */
function allowed(app: App): number {
  return 5 * (1 + 2 * app.counted.redisDowns);
}

type App = Awaited<ReturnType<typeof countingApp>>;

const ATTACKER = '203.0.113.66';
const OWNER = '198.51.100.7';

function loginFrom(app: App, ip: string, body: Record<string, string>) {
  return app.request.post('/api/v1/login').set('X-Forwarded-For', ip).send(body);
}

async function registerAmy(app: App) {
  const response = await app.request
    .post('/api/v1/users')
    .send({ username: 'amy', email: 'amy@example.com', password: PASSWORD })
    .expect(201);
  return response.body as { id: string };
}

test('a burst of 25 wrong passwords in parallel reaches argon2 at most THRESHOLD times', async (t) => {
  const app = await countingApp(t, {}, true);
  await registerAmy(app);
  app.counted.verifications = 0;
  const burst = await Promise.all(
    Array.from({ length: 25 }, () => loginFrom(app, ATTACKER, { username: 'amy', password: 'wrong guess' })),
  );
  const statuses = burst.map((response) => response.status);
  t.true(app.counted.verifications <= allowed(app), `${app.counted.verifications} verifications`);
  t.is(statuses.filter((status) => status === 401).length, app.counted.verifications);
  t.is(statuses.filter((status) => status === 429).length, 25 - app.counted.verifications);
  for (const response of burst.filter((r) => r.status === 429)) {
    t.is(response.body.error, 'rate_limited');
    t.regex(response.headers['retry-after'] ?? '', /^[1-9]\d*$/);
  }
});

test('username and email share one budget, in parallel too', async (t) => {
  const app = await countingApp(t, {}, true);
  await registerAmy(app);
  app.counted.verifications = 0;
  const burst = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      loginFrom(app, ATTACKER, i % 2 === 0
        ? { username: 'AMY', password: 'wrong guess' }
        : { email: 'Amy@Example.com', password: 'wrong guess' }),
    ),
  );
  t.true(app.counted.verifications <= allowed(app), `${app.counted.verifications} verifications`);
  t.true(burst.some((response) => response.status === 429));
});

test('unknown names get the same answers as existing accounts under a burst', async (t) => {
  const app = await countingApp(t);
  await registerAmy(app);
  const burst = (username: string) =>
    Promise.all(Array.from({ length: 12 }, () => loginFrom(app, ATTACKER, { username, password: 'wrong guess' })));
  const [known, unknown] = await Promise.all([burst('amy'), burst('nobody')]);
  const summary = (responses: typeof known) => responses.map((r) => r.status).sort().join(',');
  t.is(summary(known), summary(unknown));
});

test('an attacker guessing from one address cannot keep the owner out from another', async (t) => {
  const app = await countingApp(t, { RATE_LIMIT_LOGIN_ACCOUNT: '1000/900' });
  await registerAmy(app);
  // The attacker keeps failing, well past the threshold, in bursts.
  for (let round = 0; round < 3; round += 1) {
    await Promise.all(
      Array.from({ length: 10 }, () => loginFrom(app, ATTACKER, { username: 'amy', password: 'wrong guess' })),
    );
  }
  t.is((await loginFrom(app, ATTACKER, { username: 'amy', password: PASSWORD })).status, 429);
  const owner = await loginFrom(app, OWNER, { username: 'amy', password: PASSWORD });
  t.is(owner.status, 200);
  t.regex(owner.body.access_token, /^tsr_at_/);
  // The owner's success does not free the attacker's address.
  t.is((await loginFrom(app, ATTACKER, { username: 'amy', password: 'wrong guess' })).status, 429);
});

test('the account as a whole is slowed at LOGIN_THROTTLE_ACCOUNT_THRESHOLD, from every address', async (t) => {
  const app = await countingApp(t, { LOGIN_THROTTLE_ACCOUNT_THRESHOLD: '8' });
  const amy = await registerAmy(app);
  // Eight addresses, one wrong guess each: no address reaches its own threshold.
  for (let i = 1; i <= 8; i += 1) {
    t.is((await loginFrom(app, `192.0.2.${i}`, { username: 'amy', password: 'wrong guess' })).status, 401);
  }
  const owner = await loginFrom(app, OWNER, { username: 'amy', password: PASSWORD });
  t.is(owner.status, 429);
  t.is(owner.body.error, 'rate_limited');
  const [event] = await auditRows(app.db, 'rate_limited');
  t.is(String(event.user_id), amy.id);
  t.deepEqual(JSON.parse(event.detail), { limit: 'login_account_failures', count: 1 });
});

test('PUT /me/password with a stolen token: a burst of wrong current passwords reaches argon2 at most THRESHOLD times', async (t) => {
  const app = await countingApp(t, {}, true);
  const amy = await registerAmy(app);
  const tokens = (await loginFrom(app, OWNER, { username: 'amy', password: PASSWORD }).expect(200)).body;
  const hashBefore = (await app.db('users').where({ id: amy.id }).first()).password_hash;
  app.counted.verifications = 0;
  const burst = await Promise.all(
    Array.from({ length: 25 }, () =>
      app.request
        .put('/api/v1/me/password')
        .set(bearer(tokens.access_token))
        .set('X-Forwarded-For', ATTACKER)
        .send({ current_password: 'wrong guess', new_password: 'a brand new passphrase' }),
    ),
  );
  t.true(app.counted.verifications <= allowed(app), `${app.counted.verifications} verifications`);
  t.is(burst.filter((response) => response.status === 400).length, app.counted.verifications);
  t.is(burst.filter((response) => response.status === 429).length, 25 - app.counted.verifications);
  // Throttled before the password is checked: even the right one waits, and nothing changes.
  const right = await app.request
    .put('/api/v1/me/password')
    .set(bearer(tokens.access_token))
    .set('X-Forwarded-For', ATTACKER)
    .send({ current_password: PASSWORD, new_password: 'a brand new passphrase' });
  t.is(right.status, 429);
  t.is((await app.db('users').where({ id: amy.id }).first()).password_hash, hashBefore);
});
