import test from 'ava';
import { auditRows, bearer, buildTestApp, signUp } from '../helpers/app.ts';
import { createPat } from '../tokens/helpers.ts';
import { basic, createClient } from './helpers.ts';
import { withLastCharacterChanged } from '../helpers/tamper.ts';

test('an access token or a refresh token revokes its whole session at once; audit says via the endpoint', async (t) => {
  const app = await buildTestApp(t);
  for (const which of ['access_token', 'refresh_token'] as const) {
    const { tokens } = await signUp(app.request, `user-${which}`.replace('_', ''));
    await app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200); // cached
    const response = await app.request.post('/api/v1/oauth/revoke').type('form').send({ token: tokens[which] });
    t.is(response.status, 200);
    t.deepEqual(response.body, {});
    t.is((await app.request.get('/api/v1/me').set(bearer(tokens.access_token))).body.error, 'token_revoked');
    t.is((await app.request.post('/api/v1/refresh').send({ refresh_token: tokens.refresh_token })).status, 401);
  }
  const events = await auditRows(app.db, 'logged_out');
  t.is(events.length, 2);
  t.deepEqual(JSON.parse(events[0].detail), { reason: 'logout', via: 'revocation_endpoint' });
});

test('a PAT revokes only itself', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUp(app.request, 'alice');
  const pat = await createPat(app, tokens.access_token, ['profile:read']);
  await app.request.post('/api/v1/oauth/revoke').send({ token: pat.token }).expect(200, {});
  t.is((await app.request.get('/api/v1/me').set(bearer(pat.token))).body.error, 'token_revoked');
  await app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);
  t.is(JSON.parse((await auditRows(app.db, 'token_revoked'))[0].detail).via, 'revocation_endpoint');
});

test('garbage, unknown and already revoked tokens answer 200 {} and change nothing', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUp(app.request, 'alice');
  for (const token of ['garbage', `tsr_rt_1${'B'.repeat(49)}`, withLastCharacterChanged(tokens.access_token)]) {
    await app.request.post('/api/v1/oauth/revoke').send({ token }).expect(200, {});
  }
  await app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);
  await app.request.post('/api/v1/oauth/revoke').send({ token: tokens.refresh_token }).expect(200, {});
  await app.request.post('/api/v1/oauth/revoke').send({ token: tokens.refresh_token }).expect(200, {});
  t.is((await auditRows(app.db, 'logged_out')).length, 1);
  const missing = await app.request.post('/api/v1/oauth/revoke').send({});
  t.is(missing.status, 400);
  t.is(missing.body.error, 'invalid_request');
  t.truthy(missing.body.error_description);
});

test('credentials are optional, but sent ones must be valid', async (t) => {
  const app = await buildTestApp(t);
  const client = await createClient(app);
  const { tokens } = await signUp(app.request, 'alice');
  const bad = await app.request
    .post('/api/v1/oauth/revoke')
    .set(basic({ client_id: client.client_id, client_secret: 'tsr_cs_nope' }))
    .send({ token: tokens.access_token });
  t.is(bad.status, 401);
  t.is(bad.body.error, 'invalid_client');
  t.is(bad.headers['www-authenticate'], 'Basic realm="tessera"');
  await app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(200);
  await app.request.post('/api/v1/oauth/revoke').set(basic(client)).send({ token: tokens.access_token }).expect(200, {});
  await app.request.get('/api/v1/me').set(bearer(tokens.access_token)).expect(401);
});

test('revocation is rate-limited per IP like /refresh', async (t) => {
  const app = await buildTestApp(t, { env: { RATE_LIMIT_REFRESH: '2/60' } });
  await app.request.post('/api/v1/oauth/revoke').send({ token: 'x' }).expect(200);
  await app.request.post('/api/v1/oauth/revoke').send({ token: 'x' }).expect(200);
  const limited = await app.request.post('/api/v1/oauth/revoke').send({ token: 'x' });
  t.is(limited.status, 429);
  t.is(limited.body.error, 'rate_limited');
  t.truthy(limited.headers['retry-after']);
});
