import test from 'ava';
import { bearer, PASSWORD } from '../helpers/app.ts';
import { twoInstancesOnRedis } from '../helpers/instances.ts';
import { refusedWithinBound } from '../helpers/revocation-bound.ts';

test('a session revoked on one instance is refused by another within 100 ms, cache and all', async (t) => {
  const [a, b] = await twoInstancesOnRedis(t, { AUTH_CACHE: 'on', AUTH_CACHE_TTL: '3600' });

  await a.request.post('/api/v1/users').send({ username: 'amy', password: PASSWORD }).expect(201);
  const delays: number[] = [];
  for (let round = 0; round < 10; round += 1) {
    const victim = (await a.request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD })).body;
    const admin = (await a.request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD })).body;
    await b.request.get('/api/v1/me').set(bearer(victim.access_token)).expect(200);
    t.true(b.cache.size > 0, 'B should hold the token in its cache');

    await a.request.delete(`/api/v1/sessions/${victim.session_id}`).set(bearer(admin.access_token)).expect(204);
    delays.push(await refusedWithinBound(t, b.request, victim.access_token, 'token_revoked'));
  }
  t.log(`refused on B after ${delays.map((ms) => ms.toFixed(1)).join(', ')} ms`);
});
