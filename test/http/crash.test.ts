import { Writable } from 'node:stream';
import Koa from 'koa';
import Router from '@koa/router';
import test from 'ava';
import { pino } from 'pino';
import supertest from 'supertest';
import { parseConfig } from '../../src/config/config.ts';
import { createPasswordHasher } from '../../src/crypto/passwords.ts';
import { createTessera } from '../../src/tessera.ts';
import type { TesseraState } from '../../src/auth/state.ts';
import { openTestDb, TEST_DATABASE_URL } from '../helpers/database.ts';
import { PASSWORD, TEST_ARGON2 } from '../helpers/app.ts';

test('a crash in a handler is a 500 with the request id, logged with its stack, and serving goes on', async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const tessera = createTessera({
    db: await openTestDb(t),
    config: parseConfig({ DATABASE_URL: TEST_DATABASE_URL }),
    logger: pino({ level: 'info' }, sink),
    passwords: createPasswordHasher(TEST_ARGON2),
  });
  const broken = new Router<TesseraState>().get('/broken', () => {
    throw new TypeError('handler bug: cannot read properties of undefined');
  });
  const app = new Koa<TesseraState>();
  app.use(tessera.middleware());
  app.use(tessera.routes());
  app.use(broken.routes());
  const request = supertest(app.callback());

  await request.post('/api/v1/users').send({ username: 'amy', password: PASSWORD }).expect(201);
  const crashed = await request.get('/broken').expect(500);
  const requestId = crashed.headers['x-request-id'];
  t.deepEqual(crashed.body, {
    error: 'internal_error',
    message: `Internal error (request id ${requestId}).`,
  });
  t.false(crashed.text.includes('handler bug'));

  const logged = lines.find((line) => line.msg === 'unhandled error');
  t.is(logged?.requestId, requestId);
  const stack = String((logged?.err as { stack?: string })?.stack);
  t.regex(stack, /^TypeError: handler bug/);
  t.regex(stack, /\n\s+at .*crash\.test\.ts/);

  await request.get('/healthz').expect(200);
  await request.post('/api/v1/login').send({ username: 'amy', password: PASSWORD }).expect(200);
  t.false(JSON.stringify(lines).includes(PASSWORD), 'a password reached the logs');
});
