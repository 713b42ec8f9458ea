import test from 'ava';
import { bearer, buildTestApp, login, PASSWORD, signUp, signUpAdmin, type TestApp } from '../helpers/app.ts';

/**
 * Logins, password changes and disables sent in parallel, the way an
 * attacker holding an old password would. The rule under test (API.md,
 * Tokens): a session exists only for a password that is still current and an
 * account that is still enabled at the moment the session is written.
 */

const NEW_PASSWORD = 'a brand new passphrase';

/** Logs in with `password` over and over until the server refuses; returns every pair it got. */
async function loginLoop(app: TestApp, username: string, password: string, stop: () => boolean) {
  const pairs: Array<{ access_token: string; refresh_token: string; session_id: string }> = [];
  while (!stop()) {
    const response = await app.request.post('/api/v1/login').send({ username, password });
    if (response.status !== 200) break;
    pairs.push(response.body);
  }
  return pairs;
}

function liveSessions(app: TestApp, userId: string) {
  return app.db('sessions').where({ user_id: Number(userId) }).whereNull('revoked_at').select('id');
}

test('logins with the old password that race a password change leave no usable session', async (t) => {
  for (let round = 0; round < 5; round += 1) {
    const app = await buildTestApp(t, { env: { RATE_LIMIT: 'off' } });
    const { user, tokens } = await signUp(app.request, 'amy');
    let changed = false;
    const loops = [1, 2, 3].map(() => loginLoop(app, 'amy', PASSWORD, () => false));
    // Let the loops get going, then change the password while they run.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const change = await app.request
      .put('/api/v1/me/password')
      .set(bearer(tokens.access_token))
      .send({ current_password: PASSWORD, new_password: NEW_PASSWORD });
    changed = true;
    t.is(change.status, 200, JSON.stringify(change.body));
    const pairs = (await Promise.all(loops)).flat();
    t.true(changed);

    // Only the device that changed the password is still logged in.
    t.deepEqual(
      (await liveSessions(app, user.id)).map((row) => row.id),
      [tokens.session_id],
      `round ${round}: a login with the old password kept a session`,
    );
    for (const pair of pairs) {
      const me = await app.request.get('/api/v1/me').set(bearer(pair.access_token));
      t.is(me.status, 401);
      const refresh = await app.request.post('/api/v1/refresh').send({ refresh_token: pair.refresh_token });
      t.is(refresh.status, 401);
    }
    // And the old password no longer works at all.
    const late = await app.request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD });
    t.is(late.status, 401);
    t.is(late.body.error, 'invalid_credentials');
  }
});

test('of two password changes sent at once from two devices, exactly one succeeds', async (t) => {
  for (let round = 0; round < 5; round += 1) {
    const app = await buildTestApp(t, { env: { RATE_LIMIT: 'off' } });
    const { user, tokens: laptop } = await signUp(app.request, 'amy');
    const phone = await login(app.request, 'amy');
    const [first, second] = await Promise.all(
      [
        [laptop, 'laptop passphrase one'],
        [phone, 'phone passphrase two'],
      ].map(([device, next]) =>
        app.request
          .put('/api/v1/me/password')
          .set(bearer((device as typeof laptop).access_token))
          .send({ current_password: PASSWORD, new_password: next }),
      ),
    );
    const statuses = [first!.status, second!.status].sort();
    t.is(statuses[0], 200, `round ${round}: ${JSON.stringify([first!.body, second!.body])}`);
    t.not(statuses[1], 200, `round ${round}: both password changes succeeded`);
    const loser = first!.status === 200 ? second! : first!;
    t.true(['token_revoked', 'validation_failed'].includes(loser.body.error), JSON.stringify(loser.body));

    // The winner's device is the only one left, and the winner's password is the one that works.
    const winner = first!.status === 200 ? laptop : phone;
    const winnerPassword = first!.status === 200 ? 'laptop passphrase one' : 'phone passphrase two';
    t.deepEqual((await liveSessions(app, user.id)).map((row) => row.id), [winner.session_id]);
    await app.request.post('/api/v1/login').send({ username: 'amy', password: winnerPassword }).expect(200);
    t.is(
      (await app.db('audit_events').where({ type: 'password_changed', user_id: Number(user.id) })).length,
      1,
    );
  }
});

test('logins that race an admin disable leave no session behind once re-enabled', async (t) => {
  for (let round = 0; round < 3; round += 1) {
    const app = await buildTestApp(t, { env: { RATE_LIMIT: 'off' } });
    const { tokens: admin } = await signUpAdmin(app, 'root');
    const { user } = await signUp(app.request, 'amy');
    const loops = [1, 2, 3].map(() => loginLoop(app, 'amy', PASSWORD, () => false));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await app.request
      .patch(`/api/v1/admin/users/${user.id}`)
      .set(bearer(admin.access_token))
      .send({ disabled: true })
      .expect(200);
    const pairs = (await Promise.all(loops)).flat();
    t.deepEqual(await liveSessions(app, user.id), [], `round ${round}: a session outlived the disable`);

    await app.request
      .patch(`/api/v1/admin/users/${user.id}`)
      .set(bearer(admin.access_token))
      .send({ disabled: false })
      .expect(200);
    t.deepEqual(await liveSessions(app, user.id), [], `round ${round}: a session came back to life`);
    for (const pair of pairs) {
      t.is((await app.request.get('/api/v1/me').set(bearer(pair.access_token))).status, 401);
      t.is((await app.request.post('/api/v1/refresh').send({ refresh_token: pair.refresh_token })).status, 401);
    }
  }
});

test('a refresh that races a password change issues nothing usable', async (t) => {
  for (let round = 0; round < 5; round += 1) {
    const app = await buildTestApp(t, { env: { RATE_LIMIT: 'off' } });
    const { user, tokens: laptop } = await signUp(app.request, 'amy');
    const phone = await login(app.request, 'amy');
    const [change, refresh] = await Promise.all([
      app.request
        .put('/api/v1/me/password')
        .set(bearer(laptop.access_token))
        .send({ current_password: PASSWORD, new_password: NEW_PASSWORD }),
      app.request.post('/api/v1/refresh').send({ refresh_token: phone.refresh_token }),
    ]);
    t.is(change.status, 200);
    t.deepEqual((await liveSessions(app, user.id)).map((row) => row.id), [laptop.session_id]);
    if (refresh.status === 200) {
      // The refresh won the race: the password change then revoked what it issued.
      t.is((await app.request.get('/api/v1/me').set(bearer(refresh.body.access_token))).status, 401);
    } else {
      t.is(refresh.body.error, 'token_revoked');
    }
  }
});
