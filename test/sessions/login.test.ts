import test from 'ava';
import { createPasswordHasher } from '../../src/crypto/passwords.ts';
import { bearer, buildTestApp, login, PASSWORD, register, TEST_ARGON2 } from '../helpers/app.ts';

const CHROME_ON_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

test('login returns a token pair with Cache-Control: no-store', async (t) => {
  const { request } = await buildTestApp(t);
  await register(request, 'alice');
  const response = await request
    .post('/api/v1/login')
    .send({ username: 'alice', password: PASSWORD })
    .expect(200);
  t.is(response.headers['cache-control'], 'no-store');
  t.deepEqual(Object.keys(response.body).sort(), [
    'access_token',
    'expires_in',
    'refresh_expires_in',
    'refresh_token',
    'session_id',
    'token_type',
  ]);
  t.regex(response.body.access_token, /^tsr_at_1/);
  t.regex(response.body.refresh_token, /^tsr_rt_1/);
  t.is(response.body.token_type, 'Bearer');
  t.is(response.body.expires_in, 900);
  t.is(response.body.refresh_expires_in, 14 * 24 * 3600);
  t.is(typeof response.body.session_id, 'string');
});

test('login by email, ignoring case', async (t) => {
  const { request } = await buildTestApp(t);
  await register(request, 'bob', { email: 'bob@example.com' });
  const response = await request
    .post('/api/v1/login')
    .send({ email: 'BOB@example.com', password: PASSWORD })
    .expect(200);
  t.regex(response.body.access_token, /^tsr_at_/);
});

test('login by username ignores case', async (t) => {
  const { request } = await buildTestApp(t);
  await register(request, 'Carol');
  const tokens = await login(request, 'carol');
  t.regex(tokens.access_token, /^tsr_at_/);
});

test('unknown user and wrong password get the same 401 invalid_credentials', async (t) => {
  const { request, db } = await buildTestApp(t);
  await register(request, 'dave');
  const wrongPassword = await request
    .post('/api/v1/login')
    .send({ username: 'dave', password: 'not the password' })
    .expect(401);
  const unknownUser = await request
    .post('/api/v1/login')
    .send({ username: 'nobody', password: 'not the password' })
    .expect(401);
  t.deepEqual(wrongPassword.body, unknownUser.body);
  t.is(wrongPassword.body.error, 'invalid_credentials');
  t.is(wrongPassword.headers['www-authenticate'], unknownUser.headers['www-authenticate']);
  t.is((await db('sessions').select()).length, 0);
});

test('a disabled account is told so only after the right password', async (t) => {
  const { request, db } = await buildTestApp(t);
  await register(request, 'erin');
  await db('users').where({ username: 'erin' }).update({ disabled: true });
  const wrong = await request
    .post('/api/v1/login')
    .send({ username: 'erin', password: 'wrong password!' })
    .expect(401);
  t.is(wrong.body.error, 'invalid_credentials');
  const right = await request
    .post('/api/v1/login')
    .send({ username: 'erin', password: PASSWORD })
    .expect(403);
  t.is(right.body.error, 'account_disabled');
  t.is((await db('sessions').select()).length, 0);
});

test('login needs a username or an email and a password', async (t) => {
  const { request } = await buildTestApp(t);
  const none = await request.post('/api/v1/login').send({ password: PASSWORD }).expect(400);
  t.is(none.body.error, 'validation_failed');
  t.is(none.body.details[0].field, 'username');
  const noPassword = await request.post('/api/v1/login').send({ username: 'x' }).expect(400);
  t.is(noPassword.body.details[0].field, 'password');
  const wrongType = await request
    .post('/api/v1/login')
    .send({ username: 'x', password: PASSWORD, device_name: 7 })
    .expect(400);
  t.is(wrongType.body.details[0].field, 'device_name');
});

test('two devices can be logged in at once, each with its own session', async (t) => {
  const { request } = await buildTestApp(t);
  await register(request, 'frank');
  const phone = await login(request, 'frank', { device_name: 'Phone' });
  const laptop = await login(request, 'frank', { device_name: 'Laptop' });
  t.not(phone.session_id, laptop.session_id);
  const fromPhone = await request.get('/api/v1/me').set(bearer(phone.access_token)).expect(200);
  const fromLaptop = await request.get('/api/v1/me').set(bearer(laptop.access_token)).expect(200);
  t.is(fromPhone.body.session.device_name, 'Phone');
  t.is(fromLaptop.body.session.device_name, 'Laptop');
});

test('device_name defaults to a short name from the User-Agent', async (t) => {
  const { request } = await buildTestApp(t);
  await register(request, 'grace');
  const browser = await request
    .post('/api/v1/login')
    .set('User-Agent', CHROME_ON_MAC)
    .send({ username: 'grace', password: PASSWORD })
    .expect(200);
  const me = await request.get('/api/v1/me').set(bearer(browser.body.access_token)).expect(200);
  t.is(me.body.session.device_name, 'Chrome on Mac OS');
  t.is(me.body.session.user_agent, CHROME_ON_MAC);

  const curl = await request
    .post('/api/v1/login')
    .set('User-Agent', 'curl/8.5.0')
    .send({ username: 'grace', password: PASSWORD })
    .expect(200);
  const curlMe = await request.get('/api/v1/me').set(bearer(curl.body.access_token)).expect(200);
  t.is(curlMe.body.session.device_name, 'curl');
});

test('a hash made with old argon2 parameters is upgraded at login', async (t) => {
  const { request, db } = await buildTestApp(t);
  await register(request, 'heidi');
  const weakHash = await createPasswordHasher({ ...TEST_ARGON2, memoryCost: 512 }).hash(PASSWORD);
  await db('users').where({ username: 'heidi' }).update({ password_hash: weakHash });
  await login(request, 'heidi');
  const row = await db('users').where({ username: 'heidi' }).first();
  t.not(row.password_hash, weakHash);
  t.regex(row.password_hash, /m=1024/);
  await login(request, 'heidi'); // and the new hash still verifies
});
