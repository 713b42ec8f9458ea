import test from 'ava';
import { buildTestApp, register } from '../helpers/app.ts';

/** The IP stored on the session a login from these headers creates. */
async function sessionIp(env: Record<string, string>, forwardedFor: string | undefined, t: import('ava').ExecutionContext) {
  const app = await buildTestApp(t, { env });
  await register(app.request, 'amy');
  let request = app.request.post('/api/v1/login');
  if (forwardedFor !== undefined) request = request.set('X-Forwarded-For', forwardedFor);
  const response = await request.send({ username: 'amy', password: 'correct horse battery staple' }).expect(200);
  const row = await app.db('sessions').where({ id: response.body.session_id }).first();
  const event = await app.db('audit_events').where({ type: 'login_succeeded' }).first();
  t.is(event.ip, row.ip, 'sessions and the audit trail agree');
  return row.ip as string | null;
}

const PEER = /^(::ffff:)?127\.0\.0\.1$|^::1$/;

test('without TRUST_PROXY the TCP peer is the client, whatever X-Forwarded-For says', async (t) => {
  t.regex((await sessionIp({}, '203.0.113.9', t)) ?? '', PEER);
});

test('TRUST_PROXY=true: the right-most address (added by our proxy) wins; prepending cannot choose it', async (t) => {
  t.is(await sessionIp({ TRUST_PROXY: 'true' }, '203.0.113.9', t), '203.0.113.9');
  t.is(await sessionIp({ TRUST_PROXY: 'true' }, '1.2.3.4, 203.0.113.9', t), '203.0.113.9');
  t.is(await sessionIp({ TRUST_PROXY: 'true' }, '2001:db8::1', t), '2001:db8::1');
});

test('TRUST_PROXY=2: the second address from the right', async (t) => {
  t.is(await sessionIp({ TRUST_PROXY: '2' }, '6.6.6.6, 203.0.113.9, 10.0.0.2', t), '203.0.113.9');
  // Fewer entries than hops: the header is not what the proxies would write, use the peer.
  t.regex((await sessionIp({ TRUST_PROXY: '2' }, '203.0.113.9', t)) ?? '', PEER);
});

test('garbage in X-Forwarded-For falls back to the TCP peer', async (t) => {
  for (const garbage of ['not-an-ip', '<script>alert(1)</script>', '9'.repeat(300), '203.0.113.9:8080', '', ' , ']) {
    const ip = await sessionIp({ TRUST_PROXY: 'true' }, garbage, t);
    t.regex(ip ?? '', PEER, JSON.stringify(garbage));
    t.true((ip ?? '').length <= 45);
  }
});

test('limiter keys follow the same address: a client cannot dodge a limit by prepending', async (t) => {
  const app = await buildTestApp(t, { env: { TRUST_PROXY: 'true', RATE_LIMIT_GLOBAL: '2/60' } });
  const get = (header: string) => app.request.get('/api/v1/posts').set('X-Forwarded-For', header);
  await get('203.0.113.9').expect(200);
  await get('1.1.1.1, 203.0.113.9').expect(200);
  t.is((await get('2.2.2.2, 203.0.113.9')).status, 429);
});
