import test from 'ava';
import { isDatabaseUnavailable } from '../../src/db/outage.ts';

const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

test('outage errors are told apart from bugs', (t) => {
  for (const unavailable of [
    coded('ECONNREFUSED'),
    coded('ECONNRESET'),
    coded('SQLITE_FULL'),
    coded('SQLITE_IOERR'),
    coded('SQLITE_BUSY'),
    coded('53100', 'could not extend file: No space left on device'),
    coded('53300', 'too many connections'),
    coded('08006'),
    coded('57014', 'canceling statement due to statement timeout'),
    coded('57P01', 'terminating connection due to administrator command'),
    new Error('insert into "sessions" ... - Query read timeout'),
    new Error('Connection terminated unexpectedly'),
    new Error('Knex: Timeout acquiring a connection. The pool is probably full.'),
    Object.assign(new Error('wrapped'), { cause: coded('ECONNREFUSED') }),
    new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], 'connect failed'),
  ]) {
    t.true(isDatabaseUnavailable(unavailable), String((unavailable as { code?: string }).code ?? unavailable.message));
  }
  for (const bug of [
    coded('SQLITE_ERROR', 'no such table: refresh_tokens'),
    coded('SQLITE_CONSTRAINT'),
    coded('SQLITE_CORRUPT'),
    coded('42P01', 'relation "x" does not exist'),
    coded('23505'),
    coded('40001'),
    new TypeError('cannot read properties of undefined'),
    // A value in the SQL of a failed query must not pass for the driver's words.
    new Error(`select * from users where username = 'Query read timeout' - syntax error at or near "x"`),
    undefined,
    'a string',
  ]) {
    t.false(isDatabaseUnavailable(bug), String(bug instanceof Error ? bug.message : bug));
  }
});
