import { once } from 'node:events';
import { connect, type AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import test from 'ava';
import Koa from 'koa';
import type { TesseraState } from '../../src/auth/state.ts';
import { jsonBody } from '../../src/http/json-body.ts';
import { buildTestApp, PASSWORD } from '../helpers/app.ts';
import { waitFor } from '../helpers/fault-proxy.ts';

test('invalid JSON is 400 invalid_json', async (t) => {
  const { request, db } = await buildTestApp(t);
  const response = await request
    .post('/api/v1/users')
    .set('Content-Type', 'application/json')
    .send('{"username": "alice",')
    .expect(400);
  t.is(response.body.error, 'invalid_json');
  t.is(typeof response.body.message, 'string');
  t.is((await db('users').select()).length, 0);
});

test('a body of another content type is 415 unsupported_media_type', async (t) => {
  const { request } = await buildTestApp(t);
  const response = await request
    .post('/api/v1/users')
    .set('Content-Type', 'application/x-www-form-urlencoded')
    .send(`username=alice&password=${PASSWORD}`)
    .expect(415);
  t.is(response.body.error, 'unsupported_media_type');
});

test('a body with no content type is 415', async (t) => {
  const { request } = await buildTestApp(t);
  const response = await request
    .post('/api/v1/login')
    .set('Content-Length', '2')
    .send(Buffer.from('{}'))
    .unset('Content-Type')
    .expect(415);
  t.is(response.body.error, 'unsupported_media_type');
});

test('a body over 16 KiB is 413 payload_too_large', async (t) => {
  const { request } = await buildTestApp(t);
  const response = await request
    .post('/api/v1/users')
    .send({ username: 'alice', password: PASSWORD, padding: 'x'.repeat(17 * 1024) })
    .expect(413);
  t.is(response.body.error, 'payload_too_large');
});

test('a JSON array or scalar where an object belongs is 400 validation_failed', async (t) => {
  const { request } = await buildTestApp(t);
  const array = await request.post('/api/v1/users').send([1, 2, 3]).expect(400);
  t.is(array.body.error, 'validation_failed');
  t.deepEqual(array.body.details, [{ field: 'body', message: 'must be a JSON object' }]);
  const scalar = await request
    .post('/api/v1/users')
    .set('Content-Type', 'application/json')
    .send('"just a string"')
    .expect(400);
  t.is(scalar.body.error, 'invalid_json'); // strict JSON: only objects and arrays
});

test('a compressed JSON body whose client hangs up mid-way ends the request instead of leaving it waiting forever', async (t) => {
  const outcomes: string[] = [];
  const app = new Koa<TesseraState>();
  app.use(async (ctx, next) => {
    try {
      await next();
      outcomes.push('finished');
    } catch (error) {
      outcomes.push((error as { code?: string }).code ?? String(error));
    }
  });
  app.use(jsonBody());
  app.use((ctx) => {
    ctx.status = 204;
  });
  const server = app.listen(0, '127.0.0.1');
  t.teardown(() => server.close());
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  const compressed = gzipSync(JSON.stringify({ username: 'amy', password: 'x'.repeat(4000) }));
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    `POST /api/v1/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${compressed.length}\r\n\r\n`,
  );
  socket.write(compressed.subarray(0, 20));
  await delay(50);
  socket.destroy();
  await waitFor('the request to end', () => outcomes.length === 1);
  t.deepEqual(outcomes, ['invalid_json']);
});
