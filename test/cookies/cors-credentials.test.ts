import test from 'ava';
import { buildCookieApp } from './cookie-helpers.ts';

test('listed CORS origins get Access-Control-Allow-Credentials, on preflight and on the response', async (t) => {
  const app = await buildCookieApp(t, { CORS_ORIGINS: 'https://app.example.com,https://admin.example.com' });
  const preflight = await app.request
    .options('/api/v1/logout')
    .set('Origin', 'https://admin.example.com')
    .set('Access-Control-Request-Method', 'POST')
    .set('Access-Control-Request-Headers', 'content-type')
    .expect(204);
  t.is(preflight.headers['access-control-allow-origin'], 'https://admin.example.com');
  t.is(preflight.headers['access-control-allow-credentials'], 'true');

  const response = await app.request.get('/healthz').set('Origin', 'https://app.example.com').expect(200);
  t.is(response.headers['access-control-allow-origin'], 'https://app.example.com');
  t.is(response.headers['access-control-allow-credentials'], 'true');
  t.regex(String(response.headers.vary), /Origin/);
});

test('an unlisted origin gets no CORS headers at all', async (t) => {
  const app = await buildCookieApp(t, { CORS_ORIGINS: 'https://app.example.com' });
  const response = await app.request.get('/healthz').set('Origin', 'https://evil.example').expect(200);
  t.is(response.headers['access-control-allow-origin'], undefined);
  t.is(response.headers['access-control-allow-credentials'], undefined);
});

test('CORS_ORIGINS=* never allows credentials', async (t) => {
  const app = await buildCookieApp(t, { CORS_ORIGINS: '*' });
  const preflight = await app.request
    .options('/api/v1/me')
    .set('Origin', 'https://anyone.example')
    .set('Access-Control-Request-Method', 'GET')
    .expect(204);
  t.is(preflight.headers['access-control-allow-origin'], 'https://anyone.example');
  t.is(preflight.headers['access-control-allow-credentials'], undefined);
  const response = await app.request.get('/healthz').set('Origin', 'https://anyone.example').expect(200);
  t.is(response.headers['access-control-allow-credentials'], undefined);
});

test('without CORS_ORIGINS there is no CORS at all', async (t) => {
  const app = await buildCookieApp(t);
  const response = await app.request.get('/healthz').set('Origin', 'https://app.example.com').expect(200);
  t.is(response.headers['access-control-allow-origin'], undefined);
  t.is(response.headers['access-control-allow-credentials'], undefined);
});
