import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type ServerProcess = ChildProcess & { output: () => string };

/**
 * How a test server runs: `npm-start` builds `dist/` (the `prestart`
 * script) and runs the `start` script's command as written in
 * package.json; `tsx` runs `src/main.ts` from source, which starts faster.
 */
export type ServerMode = 'npm-start' | 'tsx';

function serverCommand(mode: ServerMode): [string, string[]] {
  if (mode === 'tsx') return [process.execPath, ['--import', 'tsx', 'src/main.ts']];
  execFileSync('npm', ['run', 'build'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
  const { scripts } = JSON.parse(readFileSync(`${PROJECT_ROOT}/package.json`, 'utf8'));
  // exec env: the shell becomes the server (with the script's VAR=value prefix applied), so
  // SIGTERM reaches it as it would from a process manager.
  return ['sh', ['-c', `exec env ${scripts.start}`]];
}

/** Runs the server with `env` added to the environment. */
export function startServer(env: Record<string, string>, mode: ServerMode = 'tsx'): ServerProcess {
  const [command, args] = serverCommand(mode);
  const child = spawn(command, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return Object.assign(child, { output: () => output });
}

/**
 * Starts a server on a port the system picks (PORT=0) and resolves with that
 * port once it listens and answers /readyz. Picking a port in the test and
 * handing it over would race: any other process (supertest binds port 0 all
 * the time) could take it first, and the test would talk to the wrong server.
 */
export async function startListeningServer(
  env: Record<string, string>,
  mode: ServerMode = 'tsx',
  timeoutMs = 60_000,
): Promise<{ server: ServerProcess; port: number }> {
  const server = startServer({ ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' }, mode);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) {
      throw new Error(`server exited with ${server.exitCode} before serving:\n${server.output()}`);
    }
    const port = listeningPort(server.output());
    if (port !== undefined && (await answersReady(port))) return { server, port };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  server.kill('SIGKILL');
  throw new Error(`server did not come up within ${timeoutMs} ms:\n${server.output()}`);
}

/** The port of the server's `tessera listening` log line, if it has written it. */
function listeningPort(output: string): number | undefined {
  for (const line of output.split('\n')) {
    if (!line.includes('tessera listening')) continue;
    const { port } = JSON.parse(line) as { port?: unknown };
    if (typeof port === 'number') return port;
  }
  return undefined;
}

async function answersReady(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`);
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}
