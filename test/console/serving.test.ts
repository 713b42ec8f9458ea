import test, { type ExecutionContext } from 'ava';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import supertest from 'supertest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config/config.ts';
import { CONSOLE_CSP } from '../../src/console/routes.ts';
import { createPasswordHasher } from '../../src/crypto/passwords.ts';
import { TEST_ARGON2 } from '../helpers/app.ts';
import { openTestDb } from '../helpers/database.ts';

const SCRIPT = 'console.log("console");\n'.repeat(50);
const INDEX = '<!doctype html><title>Tessera console</title><script type="module" src="/console/assets/app-ABC123.js"></script>';

/** A console build of its own (not dist/console), so these tests do not depend on the real bundle. */
function fakeBuild(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-console-build-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dir, 'assets/app-ABC123.js'), SCRIPT);
  writeFileSync(join(dir, 'assets/app-ABC123.js.gz'), gzipSync(SCRIPT));
  writeFileSync(join(dir, 'assets/app-ABC123.css'), 'body{margin:0}');
  return dir;
}

async function consoleApp(t: ExecutionContext, env: Record<string, string> = {}, dir = fakeBuild(t)) {
  const db = await openTestDb(t);
  const { app, tessera } = createApp({
    db,
    config: parseConfig({ DATABASE_URL: ':memory:', ...env }),
    passwords: createPasswordHasher(TEST_ARGON2),
    consoleDir: dir,
  });
  t.teardown(() => tessera.close());
  return supertest(app.callback());
}

test('/console/ is index.html with the console CSP and revalidated on every load', async (t) => {
  const request = await consoleApp(t);
  const response = await request.get('/console/').expect(200);
  t.is(response.text, INDEX);
  t.is(response.headers['content-type'], 'text/html; charset=utf-8');
  t.is(response.headers['content-security-policy'], CONSOLE_CSP);
  t.regex(CONSOLE_CSP, /script-src 'self'/);
  t.notRegex(CONSOLE_CSP, /unsafe-inline|unsafe-eval|https?:|\*/);
  t.is(response.headers['cache-control'], 'no-cache');
  t.is(response.headers['x-frame-options'], 'DENY');
  t.truthy(response.headers['x-request-id']);

  // Revalidation: the ETag answers 304 without a body.
  const again = await request.get('/console/').set('If-None-Match', response.headers.etag!).expect(304);
  t.is(again.text, '');
});

test('the console routes (/console/devices, /console/admin/users/7) get index.html, so reloads work', async (t) => {
  const request = await consoleApp(t);
  for (const path of ['/console/devices', '/console/admin/users/7', '/console/admin/audit?type=user_disabled']) {
    const response = await request.get(path).expect(200);
    t.is(response.text, INDEX, path);
    t.is(response.headers['content-security-policy'], CONSOLE_CSP, path);
  }
});

test('hashed assets have their content type, are cached for good, and go gzipped to browsers that accept it', async (t) => {
  const request = await consoleApp(t);
  const gzipped = await request.get('/console/assets/app-ABC123.js').set('Accept-Encoding', 'gzip, br').expect(200);
  t.is(gzipped.headers['content-type'], 'text/javascript; charset=utf-8');
  t.is(gzipped.headers['cache-control'], 'public, max-age=31536000, immutable');
  t.is(gzipped.headers['content-encoding'], 'gzip');
  t.is(gzipped.headers.vary, 'Accept-Encoding');
  t.is(gzipped.text, SCRIPT); // supertest inflates it

  const plain = await request.get('/console/assets/app-ABC123.js').set('Accept-Encoding', 'identity').expect(200);
  t.is(plain.headers['content-encoding'], undefined);
  t.is(plain.text, SCRIPT);

  const css = await request.get('/console/assets/app-ABC123.css').expect(200);
  t.is(css.headers['content-type'], 'text/css; charset=utf-8');
  const icon = await request.get('/console/favicon.svg').expect(200);
  t.is(icon.headers['content-type'], 'image/svg+xml');
  t.is(icon.headers['cache-control'], 'no-cache');
});

test('a missing file is a 404, never index.html in its place; nothing outside the build is reachable', async (t) => {
  const request = await consoleApp(t);
  for (const path of [
    '/console/assets/app-OLD999.js',
    '/console/assets/app-ABC123.js.gz',
    '/console/../package.json',
    '/console/%2e%2e/package.json',
    '/console/assets/..%2f..%2fpackage.json',
  ]) {
    const response = await request.get(path);
    t.is(response.status, 404, path);
    t.is(response.body.error, 'not_found', path);
  }
});

test('/console redirects to /console/; only GET and HEAD are answered', async (t) => {
  const request = await consoleApp(t);
  const redirect = await request.get('/console?x=1').expect(301);
  t.is(redirect.headers.location, '/console/?x=1');
  const head = await request.head('/console/').expect(200);
  t.is(head.headers['content-type'], 'text/html; charset=utf-8');
  const post = await request.post('/console/devices').expect(405);
  t.is(post.body.error, 'method_not_allowed');
  t.is(post.headers.allow, 'GET, HEAD');
});

test('the API keeps its own CSP (default-src none) beside the console', async (t) => {
  const request = await consoleApp(t);
  const response = await request.get('/api/v1/me').expect(401);
  t.is(response.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'");
});

test('CONSOLE=off removes the console', async (t) => {
  const request = await consoleApp(t, { CONSOLE: 'off' });
  const response = await request.get('/console/').expect(404);
  t.is(response.body.error, 'not_found');
  t.is(response.headers['content-security-policy'], "default-src 'none';frame-ancestors 'none'");
});

test('CONSOLE takes only on or off', (t) => {
  const error = t.throws(() => parseConfig({ CONSOLE: 'yes' }));
  t.regex(error.message, /CONSOLE: must be "on" or "off"/);
});

test('an unbuilt console answers 404 with the command that builds it', async (t) => {
  const request = await consoleApp(t, {}, join(tmpdir(), 'tessera-no-console-here'));
  const response = await request.get('/console/').expect(404);
  t.is(response.body.error, 'not_found');
  t.regex(response.body.message, /npm run build:console/);
});
