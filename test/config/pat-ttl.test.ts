import { once } from 'node:events';
import test from 'ava';
import { ConfigError, parseConfig } from '../../src/config/config.ts';
import { startServer } from '../helpers/server-process.ts';

test('PAT_DEFAULT_TTL and PAT_MAX_TTL: defaults, overrides, equal is allowed', (t) => {
  t.like(parseConfig({}), { patDefaultTtl: 30 * 24 * 3600, patMaxTtl: 365 * 24 * 3600 });
  t.like(parseConfig({ PAT_DEFAULT_TTL: '3600', PAT_MAX_TTL: '3600' }), { patDefaultTtl: 3600, patMaxTtl: 3600 });
});

test('a PAT_DEFAULT_TTL above PAT_MAX_TTL is one line naming the variable', (t) => {
  const error = t.throws(() => parseConfig({ PAT_DEFAULT_TTL: '7200', PAT_MAX_TTL: '3600' }), { instanceOf: ConfigError });
  t.regex(error.message, /PAT_DEFAULT_TTL: must not be longer than PAT_MAX_TTL/);
  t.false(error.message.includes('\n'));
  // Only the default's maximum moved below it: the 30-day default is now too long.
  t.regex(t.throws(() => parseConfig({ PAT_MAX_TTL: '86400' })).message, /PAT_DEFAULT_TTL/);
});

test('the server refuses to start with PAT_DEFAULT_TTL above PAT_MAX_TTL: exit 1, one line on output', async (t) => {
  const server = startServer({ PAT_DEFAULT_TTL: '7200', PAT_MAX_TTL: '3600', DATABASE_URL: ':memory:' });
  const [code] = await once(server, 'exit');
  t.is(code, 1);
  const lines = server.output().trim().split('\n');
  t.is(lines.length, 1, server.output());
  t.regex(lines[0] ?? '', /PAT_DEFAULT_TTL/);
});
