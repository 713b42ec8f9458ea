import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** Runs `npm run cli`'s entry point with `env` added; killed after 30 s (a hang shows as code null) so a hang fails instead of stalling. */
export async function runCli(env: Record<string, string>, args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const started = Date.now();
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code] = await once(child, 'exit');
  clearTimeout(killer);
  return { code: code as number | null, output, ms: Date.now() - started };
}
