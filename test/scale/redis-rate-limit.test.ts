import test from 'ava';
import { PASSWORD } from '../helpers/app.ts';
import { twoInstancesOnRedis } from '../helpers/instances.ts';

const twoInstances = async (t: import('ava').ExecutionContext, env: Record<string, string>) => {
  const [a, b] = await twoInstancesOnRedis(t, env);
  return [a.request, b.request] as const;
};

test('instances sharing Redis share rate-limit counters', async (t) => {
  const [a, b] = await twoInstances(t, { RATE_LIMIT_REGISTER: '3/3600' });
  await a.post('/api/v1/users').send({ username: 'amy', password: PASSWORD }).expect(201);
  await b.post('/api/v1/users').send({ username: 'ben', password: PASSWORD }).expect(201);
  const third = await a.post('/api/v1/users').send({ username: 'cal', password: PASSWORD }).expect(201);
  t.is(third.headers['ratelimit-remaining'], '0');
  for (const instance of [b, a]) {
    const refused = await instance.post('/api/v1/users').send({ username: 'dan', password: PASSWORD });
    t.is(refused.status, 429);
    t.is(refused.body.error, 'rate_limited');
    t.regex(refused.headers['retry-after'] ?? '', /^[1-9]\d*$/);
  }
});

test('the per-account login throttle is shared too', async (t) => {
  const [a, b] = await twoInstances(t, {});
  await a.post('/api/v1/users').send({ username: 'amy', password: PASSWORD }).expect(201);
  for (let i = 0; i < 5; i += 1) {
    await (i % 2 === 0 ? a : b)
      .post('/api/v1/login')
      .send({ username: 'amy', password: 'wrong password' })
      .expect(401);
  }
  for (const instance of [a, b]) {
    const blocked = await instance.post('/api/v1/login').send({ username: 'amy', password: PASSWORD });
    t.is(blocked.status, 429);
  }
});
