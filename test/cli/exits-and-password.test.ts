import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { createDb } from '../../src/db/connection.ts';
import { runCli } from '../helpers/cli-process.ts';

/** The real CLI, as a process: exits by itself, and never echoes a typed password. */
function databaseFile(t: ExecutionContext): string {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-cli-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  return join(directory, 'cli.sqlite');
}

test('the CLI exits by itself without Redis, and with a Redis that cannot be reached', async (t) => {
  t.timeout(60_000);
  const DATABASE_URL = databaseFile(t);
  const plain = await runCli({ DATABASE_URL }, ['users']);
  t.is(plain.code, 0, plain.output);
  t.regex(plain.output, /0 of 0 users/);
  t.true(plain.ms < 20_000, `took ${plain.ms} ms`);

  // Port 1: nothing listens, every connection attempt is refused and retried.
  const deadRedis = await runCli({ DATABASE_URL, REDIS_URL: 'redis://127.0.0.1:1' }, ['users']);
  t.is(deadRedis.code, 0, deadRedis.output);
  t.regex(deadRedis.output, /0 of 0 users/);
  t.true(deadRedis.ms < 20_000, `took ${deadRedis.ms} ms`);
});

test('create-admin typed at a terminal is read without echo (piped input: commands.test.ts)', async (t) => {
  t.timeout(60_000);
  const DATABASE_URL = databaseFile(t);
  const password = 'a long admin password';
  // `script` gives the CLI a real pseudo-terminal; what the terminal echoes comes back on its stdout.
  const child = spawn('script', ['-qec', `${process.execPath} --import tsx src/cli/main.ts create-admin root`, '/dev/null'], {
    env: { ...process.env, DATABASE_URL },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    // The prompt appears once the terminal is in raw mode: type only then.
    if (output.includes('Password (not shown): ') && !child.stdin.writableEnded) child.stdin.end(`${password}\r`);
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = await once(child, 'exit');
  clearTimeout(killer);
  t.is(code, 0, output);
  t.regex(output, /created admin root/);
  t.false(output.includes(password), `the password was echoed:\n${output}`);
  t.false(output.includes('*'.repeat(password.length)));

  const db = createDb(DATABASE_URL);
  t.teardown(() => db.destroy());
  const admin = await db('users').where({ username: 'root' }).first();
  t.truthy(admin?.is_admin);
  t.regex(admin.password_hash, /^\$argon2id\$/);
});
