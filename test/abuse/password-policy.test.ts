import test from 'ava';
import { passwordProblem } from '../../src/users/password-policy.ts';
import { buildTestApp } from '../helpers/app.ts';

const account = { username: 'alice', email: 'alice@example.com' };

test('common passwords are refused, ignoring case', (t) => {
  for (const password of ['password', 'Password1', '12345678', 'QWERTYUIOP', 'iloveyou', 'baseball']) {
    t.is(passwordProblem(password, account), 'is one of the most commonly used passwords', password);
  }
});

test('length is 8 to 256 characters, counted as code points of the NFKC form', (t) => {
  t.regex(passwordProblem('Sh0rt!x', account) ?? '', /at least 8/);
  t.is(passwordProblem('🐱🐶🐭🐹🐰🦊🐻🐼', account), undefined); // 8 emoji, 16 UTF-16 units
  t.regex(passwordProblem('🐱🐶🐭🐹🐰🦊🐻', account) ?? '', /at least 8/);
  t.is(passwordProblem('x'.repeat(256), account), undefined);
  t.regex(passwordProblem('x'.repeat(257), account) ?? '', /at most 256/);
  // "ﬁ" (one ligature character) becomes "fi" under NFKC: 7 typed, 8 hashed
  t.is(passwordProblem('ﬁnd my pa', account), undefined);
});

test('any characters are allowed: spaces, punctuation, no composition rules', (t) => {
  t.is(passwordProblem('all lower case words here', account), undefined);
  t.is(passwordProblem('        tabs\tand spaces  ', account), undefined);
});

test('the password may not be the username or the email', (t) => {
  t.regex(passwordProblem('alice', { username: 'alice' }) ?? '', /at least 8/);
  t.regex(passwordProblem('ALICEALICE', { username: 'aliceAlice' }) ?? '', /username/);
  t.regex(passwordProblem('Alice@Example.com', account) ?? '', /email/);
});

test('registration refuses a common password as a detail on "password"', async (t) => {
  const { request, db } = await buildTestApp(t);
  const response = await request
    .post('/api/v1/users')
    .send({ username: 'bob', password: 'Password123' })
    .expect(400);
  t.deepEqual(response.body.details, [
    { field: 'password', message: 'is one of the most commonly used passwords' },
  ]);
  t.is((await db('users').select()).length, 0);
});

test('registration refuses a password equal to the email', async (t) => {
  const { request } = await buildTestApp(t);
  const response = await request
    .post('/api/v1/users')
    .send({ username: 'carol', email: 'carol@example.com', password: 'carol@example.com' })
    .expect(400);
  t.is(response.body.details[0].field, 'password');
});
