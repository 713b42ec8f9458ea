import test from 'ava';
import { bearer, PASSWORD } from '../helpers/app.ts';
import { twoInstancesOnRedis } from '../helpers/instances.ts';
import { REVOCATION_BOUND_MS } from '../helpers/revocation-bound.ts';
import { basic } from '../oauth/helpers.ts';

type Request = Awaited<ReturnType<typeof twoInstancesOnRedis>>[number]['request'];

/**
 * Introspects with `client` until it is refused, and returns how long after
 * `since` the first refused request was sent (revocation-bound.ts's rule: a
 * request sent past the bound that is still accepted fails the test; the
 * time an answer takes to come back is not held against the server).
 */
async function clientRefusedWithinBound(request: Request, client: { client_id: string; client_secret: string }, token: string, since: number) {
  for (;;) {
    const sentAt = performance.now() - since;
    const response = await request.post('/api/v1/oauth/introspect').set(basic(client)).type('form').send({ token });
    if (response.status === 401) {
      if (response.body.error !== 'invalid_client') throw new Error(`refused with ${response.body.error}`);
      return sentAt;
    }
    if (response.status !== 200) throw new Error(`unexpected ${response.status}: ${JSON.stringify(response.body)}`);
    if (sentAt > REVOCATION_BOUND_MS) {
      throw new Error(`an introspection sent ${Math.round(sentAt)} ms after the deletion was still accepted`);
    }
  }
}

test('a deleted client is refused at once on the instance that deleted it and within 100 ms on another', async (t) => {
  const [a, b] = await twoInstancesOnRedis(t, { AUTH_CACHE: 'on', AUTH_CACHE_TTL: '3600' });
  await a.request.post('/api/v1/users').send({ username: 'root', password: PASSWORD }).expect(201);
  await a.db('users').where({ username: 'root' }).update({ is_admin: true });
  const admin = (await a.request.post('/api/v1/login').send({ username: 'root', password: PASSWORD }).expect(200)).body;
  const token = admin.access_token as string;

  const delays: number[] = [];
  for (let round = 0; round < 10; round += 1) {
    const client = (await a.request.post('/api/v1/admin/clients').set(bearer(token)).send({ name: `svc${round}` }).expect(201)).body;
    // Both instances have verified (and remember) its secret.
    for (const instance of [a, b]) {
      const answer = await instance.request.post('/api/v1/oauth/introspect').set(basic(client)).type('form').send({ token }).expect(200);
      t.is(answer.body.active, true);
    }

    await a.request.delete(`/api/v1/admin/clients/${client.id}`).set(bearer(token)).expect(204);
    const since = performance.now();
    const onA = await a.request.post('/api/v1/oauth/introspect').set(basic(client)).type('form').send({ token });
    t.is(onA.status, 401);
    t.is(onA.body.error, 'invalid_client');
    t.is(onA.headers['www-authenticate'], 'Basic realm="tessera"');
    delays.push(await clientRefusedWithinBound(b.request, client, token, since));
  }
  t.true(delays.every((ms) => ms <= REVOCATION_BOUND_MS));
  t.log(`refused on B after ${delays.map((ms) => ms.toFixed(1)).join(', ')} ms`);
});
