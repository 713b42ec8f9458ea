/**
 * Server CPU per request of two bench servers side by side: both pinned to
 * core 0 and loaded at the same moment, each by its own autocannon. Both see
 * the same machine at the same time (noisy neighbours, CPU frequency), so the
 * ratio of their CPU time per request is steady where two runs minutes apart
 * are not. Used by `npm run bench:compare` and by `npm run bench`'s target table.
 *
 * A server is a script of bench/servers (`tessera`, `bare-koa`, …) or the path
 * of another build's compiled server; `+limits` after the name turns rate
 * limiting on (limits too high to refuse anything, so every request is
 * counted, as a server does by default); `@introspect` or `@pat` after it
 * switches the workload (bench/workloads.ts). `resource-server-koa` (the
 * resource-server client in a Koa app of its own) gets a Tessera to
 * introspect with, on core 1, out of the measurement.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import autocannon from 'autocannon';
import { compiledServer } from './compiled.ts';
import type { Seeded } from './seed.ts';
import { workloadRequest } from './workloads.ts';

export interface SideBySideOptions {
  /** The SQLite file the servers serve (seeded as `seeded` says). */
  readonly databaseFile: string;
  readonly seeded: Pick<Seeded, 'accessTokens' | 'personalTokens' | 'client'>;
  readonly rounds: number;
  /** Seconds of measured load per round. */
  readonly duration: number;
  readonly connections: number;
  /** Told each round's figures as they come. */
  readonly onRound?: (candidateMicros: number, baselineMicros: number) => void;
}

export interface Comparison {
  /** Median of the rounds' ratios (candidate CPU per request / baseline's). */
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Rate limiting on, as by default, with limits no load here reaches. */
export const COUNTED_LIMITS = { RATE_LIMIT: 'on', RATE_LIMIT_GLOBAL: '1000000000/60', RATE_LIMIT_INTROSPECT: '1000000000/60' };

/** CPU seconds (user + system) process `pid` has used so far (proc(5), fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// Below the ephemeral range (32768-60999 here), where the load generator's own sockets could hold the port.
let nextPort = 25000 + Math.floor(Math.random() * 1000);

interface Running {
  readonly child: ChildProcess;
  /** Processes it needs that are not measured (the resource server's Tessera). */
  readonly helpers: readonly ChildProcess[];
  load(seconds: number): Promise<autocannon.Result>;
  /** Sends every token once: the resource server's cache misses (milliseconds each) before the warm-up. */
  loadEachTokenOnce(): Promise<autocannon.Result>;
}

/**
 * Starts a bench server pinned to `core`, with `nodeArgs` for node (a
 * profiler's), and resolves once it listens.
 */
export async function spawnServer(
  script: string,
  port: number,
  core: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Promise<ChildProcess> {
  const child = fork(script, [String(port)], {
    execPath: 'taskset',
    execArgv: ['-c', core, process.execPath, ...nodeArgs],
    env: { ...process.env, LOG_LEVEL: 'warn', PRUNE_INTERVAL: '0', MALLOC_ARENA_MAX: '1', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await once(child, 'message');
  return child;
}

async function start(server: string, options: SideBySideOptions): Promise<Running> {
  const port = nextPort++;
  const [spec, workload = 'me'] = server.split('@') as [string, string?];
  const limited = spec.endsWith('+limits');
  const name = limited ? spec.slice(0, -'+limits'.length) : spec;
  const script = name.startsWith('/') ? name : compiledServer(`${name}.ts`);
  const env = { DATABASE_URL: options.databaseFile, ...(limited ? COUNTED_LIMITS : { RATE_LIMIT: 'off' }) };
  const helpers: ChildProcess[] = [];
  // By name, or as another build's compiled copy (/tmp/before/dist/bench/servers/resource-server-koa.js).
  if (basename(name, '.js') === 'resource-server-koa') {
    const tesseraPort = nextPort++;
    helpers.push(await spawnServer(compiledServer('tessera.ts'), tesseraPort, '1', env));
    Object.assign(env, {
      TESSERA_URL: `http://127.0.0.1:${tesseraPort}`,
      CLIENT_ID: options.seeded.client.clientId,
      CLIENT_SECRET: options.seeded.client.clientSecret,
    });
  }
  const child = await spawnServer(script, port, '0', env);
  const { accessTokens, personalTokens, client } = options.seeded;
  const tokens = workload === 'pat' ? personalTokens : accessTokens;
  let next = 0;
  const loadFor = (limit: { duration: number } | { amount: number }) =>
    autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: options.connections,
      ...limit,
      requests: [
        {
          setupRequest: (request) => {
            next = (next + 1) % tokens.length;
            return { ...request, ...workloadRequest(workload, tokens[next]!, client) };
          },
        },
      ],
    });
  return {
    child,
    helpers,
    load: (seconds) => loadFor({ duration: seconds }),
    loadEachTokenOnce: () => loadFor({ amount: tokens.length }),
  };
}

/** CPU µs per request of `a` and `b`, loaded at the same time on the same core. */
async function oneRound(a: string, b: string, options: SideBySideOptions): Promise<[number, number]> {
  const pair = [await start(a, options), await start(b, options)];
  try {
    await Promise.all(pair.map((server) => (server.helpers.length > 0 ? server.loadEachTokenOnce() : undefined)));
    await Promise.all(pair.map((server) => server.load(2))); // warm-up: JIT, caches, connections
    const before = pair.map((server) => cpuSeconds(server.child.pid!));
    const results = await Promise.all(pair.map((server) => server.load(options.duration)));
    const micros = pair.map((server, i) => {
      const result = results[i]!;
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${[a, b][i]}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      return ((cpuSeconds(server.child.pid!) - before[i]!) * 1e6) / result.requests.total;
    });
    return [micros[0]!, micros[1]!];
  } finally {
    for (const child of pair.flatMap((server) => [server.child, ...server.helpers])) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
}

/** `candidate`'s CPU per request against `baseline`'s, side by side, over `options.rounds` rounds. */
export async function compareSideBySide(baseline: string, candidate: string, options: SideBySideOptions): Promise<Comparison> {
  const ratios: number[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    const [base, other] = await oneRound(baseline, candidate, options);
    options.onRound?.(other, base);
    ratios.push(other / base);
  }
  ratios.sort((x, y) => x - y);
  return { median: ratios[Math.floor(ratios.length / 2)]!, min: ratios[0]!, max: ratios.at(-1)! };
}
