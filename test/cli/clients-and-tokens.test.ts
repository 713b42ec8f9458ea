import test from 'ava';
import { auditRows, bearer, buildTestApp, signUp, type TestApp } from '../helpers/app.ts';
import { cli } from '../helpers/cli-in-process.ts';
import { basic } from '../oauth/helpers.ts';
import { createPat } from '../tokens/helpers.ts';

function introspect(app: TestApp, client: { client_id: string; client_secret: string }, token: string) {
  return app.request.post('/api/v1/oauth/introspect').set(basic(client)).type('form').send({ token });
}

/** The id, client_id and secret `clients create` printed. */
function parseCreated(output: string) {
  const id = /^created client reports \(id ([^)]+)\)$/m.exec(output)?.[1];
  const clientId = /^client_id: +(\S+)$/m.exec(output)?.[1];
  const secret = /^client_secret: +(\S+)$/m.exec(output)?.[1];
  if (!id || !clientId || !secret) throw new Error(`unexpected output: ${output}`);
  return { id, client_id: clientId, client_secret: secret };
}

test('clients create prints the secret once, and it works for introspection', async (t) => {
  const app = await buildTestApp(t);
  const { user, tokens } = await signUp(app.request, 'alice');
  const created = await cli(app, ['clients', 'create', 'reports']);
  t.is(created.code, 0);
  const client = parseCreated(created.output);
  t.regex(client.client_secret, /^tsr_cs_/);
  t.regex(created.output, /shown only now/);

  const answer = await introspect(app, client, tokens.access_token).expect(200);
  t.like(answer.body, { active: true, sub: user.id, username: 'alice', token_kind: 'access_token' });

  // Printed once: neither the list nor the database holds it.
  const listed = await cli(app, ['clients', 'list']);
  t.false(listed.output.includes(client.client_secret));
  t.false(JSON.stringify(await app.db('service_clients')).includes(client.client_secret));
  const [event] = await auditRows(app.db, 'client_created');
  t.is(event.actor_id, null);
  t.is(event.user_agent, 'tessera-cli');
});

test('clients list shows every client with id, name, client_id and last use', async (t) => {
  const app = await buildTestApp(t);
  t.regex((await cli(app, ['clients', 'list'])).output, /^0 clients$/m);
  const reports = parseCreated((await cli(app, ['clients', 'create', 'reports'])).output);
  const billing = (await cli(app, ['clients', 'create', 'billing'])).output;
  const billingClientId = /^client_id: +(\S+)$/m.exec(billing)![1]!;

  const { tokens } = await signUp(app.request, 'alice');
  await introspect(app, reports, tokens.access_token).expect(200);

  const listed = await cli(app, ['clients', 'list']);
  t.is(listed.code, 0);
  t.regex(listed.output, /^id\tname\tclient_id\tcreated\tlast used$/m);
  t.regex(listed.output, new RegExp(`^${reports.id}\\treports\\t${reports.client_id}\\t2026-01-01T00:00:00.000Z\\t2026-01-01T00:00:00.000Z$`, 'm'));
  t.regex(listed.output, new RegExp(`^\\S+\\tbilling\\t${billingClientId}\\t2026-01-01T00:00:00.000Z\\t-$`, 'm'));
  t.regex(listed.output, /^2 clients$/m);
  t.is((await cli(app, ['clients', 'list', 'extra'])).code, 2);
});

test('clients delete: introspection with its credentials answers 401 invalid_client at once', async (t) => {
  const app = await buildTestApp(t);
  const { tokens } = await signUp(app.request, 'alice');
  const client = parseCreated((await cli(app, ['clients', 'create', 'reports'])).output);
  await introspect(app, client, tokens.access_token).expect(200); // now its secret is remembered

  const deleted = await cli(app, ['clients', 'delete', client.id]);
  t.is(deleted.code, 0);
  t.is(deleted.output, `deleted client ${client.id}`);
  const refused = await introspect(app, client, tokens.access_token);
  t.is(refused.status, 401);
  t.is(refused.body.error, 'invalid_client');
  t.is(refused.headers['www-authenticate'], 'Basic realm="tessera"');
  t.regex((await cli(app, ['clients', 'list'])).output, /^0 clients$/m);
  const [event] = await auditRows(app.db, 'client_deleted');
  t.like(JSON.parse(event.detail), { client_id: client.client_id, name: 'reports' });

  const again = await cli(app, ['clients', 'delete', client.id]);
  t.is(again.code, 1);
  t.is((await cli(app, ['clients', 'frobnicate'])).code, 2);
  t.is((await cli(app, ['clients', 'delete'])).code, 2);
});

test('tokens <user> lists live PATs; revoke-token ends one at once (401 token_revoked)', async (t) => {
  const app = await buildTestApp(t);
  const { user, tokens } = await signUp(app.request, 'alice');
  const deploy = await createPat(app, tokens.access_token, ['posts:write', 'reports:read'], { name: 'deploy', expires_in: 3600 });
  app.clock.advance(1);
  const reader = await createPat(app, tokens.access_token, ['profile:read'], { name: 'reader' });
  await app.request.get('/api/v1/me').set(bearer(reader.token)).expect(200); // cached from here on

  for (const who of ['alice', user.id]) {
    const listed = await cli(app, ['tokens', who]);
    t.is(listed.code, 0);
    t.regex(listed.output, /^id\tname\tabilities\tcreated\tlast used\texpires$/m);
    t.regex(listed.output, new RegExp(`^${deploy.id}\\tdeploy\\tposts:write reports:read\\t2026-01-01T00:00:00.000Z\\t-\\t2026-01-01T01:00:00.000Z$`, 'm'));
    t.regex(listed.output, new RegExp(`^${reader.id}\\treader\\tprofile:read\\t`, 'm'));
    t.regex(listed.output, /^2 live tokens for alice$/m);
    t.false(listed.output.includes(deploy.token) || listed.output.includes(reader.token));
  }

  const revoked = await cli(app, ['revoke-token', reader.id]);
  t.is(revoked.code, 0);
  t.is(revoked.output, `revoked token ${reader.id}`);
  const after = await app.request.get('/api/v1/me').set(bearer(reader.token));
  t.is(after.status, 401);
  t.is(after.body.error, 'token_revoked');
  await app.request.get('/api/v1/me').set(bearer(deploy.token)).expect(403); // lacks profile:read, still live
  t.regex((await cli(app, ['tokens', 'alice'])).output, /^1 live tokens for alice$/m);
  const [event] = await auditRows(app.db, 'token_revoked');
  t.is(event.actor_id, null);
  t.like(JSON.parse(event.detail), { token_id: reader.id, reason: 'revoked_by_admin' });

  const again = await cli(app, ['revoke-token', reader.id]);
  t.is(again.code, 1);
  t.regex(again.output, /No such token/);
  t.is((await cli(app, ['tokens', 'nobody'])).code, 1);
  t.is((await cli(app, ['revoke-token'])).code, 2);
});
