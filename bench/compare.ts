/**
 * `npm run bench:compare -- A B [C …]` — server CPU per cached GET /me of
 * bench servers side by side: A and each other server run at the same time,
 * pinned to the same core, each loaded by its own autocannon. Both see the
 * same machine at the same moment (noisy neighbours, CPU frequency), so the
 * ratio of their CPU time per request is steady where two runs minutes apart
 * are not: use it to judge one change.
 *
 * A server is a script of bench/servers (`tessera`, `bare-koa`, …), or the
 * path of a compiled server of another build, e.g. the tree of an earlier
 * commit built with `npm run build` in a git worktree. `@introspect` after
 * it loads POST /oauth/introspect (form body, Basic client credentials, a
 * cached active token) instead of GET /me, and `@pat` loads GET /me with
 * personal access tokens instead of session tokens:
 *   npm run bench:compare -- bare-koa tessera@introspect
 *   npm run bench:compare -- tessera tessera@pat
 *   git worktree add /tmp/before HEAD~1 && (cd /tmp/before && npm ci && npm run build)
 *   npm run bench:compare -- /tmp/before/dist/bench/servers/tessera.js tessera
 *
 * Options: --rounds N (default 3), --duration S per round (default 4),
 * --connections N per server (default 25).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createDb } from '../src/db/connection.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { compiledServer } from './compiled.ts';
import { seed } from './seed.ts';
import { workloadRequest } from './workloads.ts';

const { values: options, positionals: servers } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '4' },
    connections: { type: 'string', default: '25' },
  },
});
if (servers.length < 2) throw new Error('usage: npm run bench:compare -- BASELINE OTHER [OTHER …]');
const [baseline, ...others] = servers as [string, ...string[]];

const directory = mkdtempSync(join(tmpdir(), 'tessera-compare-'));
const file = join(directory, 'compare.sqlite');
const db = createDb(file);
await migrateToLatest(db);
const { accessTokens, personalTokens, client } = await seed(db, { users: 1000, sessions: 10_000, tokens: 2000, expiredSessions: 0 });
await db.destroy();

/** CPU seconds (user + system) process `pid` has used so far (proc(5), fields 14 and 15). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// Below the ephemeral range (32768-60999 here), where the load generator's own sockets could hold the port.
let nextPort = 25000 + Math.floor(Math.random() * 1000);

interface Running {
  readonly child: ChildProcess;
  load(seconds: number): Promise<autocannon.Result>;
}

async function start(server: string): Promise<Running> {
  const port = nextPort++;
  const [name, workload = 'me'] = server.split('@') as [string, string?];
  const script = name.startsWith('/') ? name : compiledServer(`${name}.ts`);
  const child = fork(script, [String(port)], {
    execPath: 'taskset',
    execArgv: ['-c', '0', process.execPath],
    env: { ...process.env, DATABASE_URL: file, LOG_LEVEL: 'warn', RATE_LIMIT: 'off', PRUNE_INTERVAL: '0', MALLOC_ARENA_MAX: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await once(child, 'message');
  let next = 0;
  return {
    child,
    load: (seconds) =>
      autocannon({
        url: `http://127.0.0.1:${port}`,
        connections: Number(options.connections),
        duration: seconds,
        requests: [
          {
            setupRequest: (request) => {
              const tokens = workload === 'pat' ? personalTokens : accessTokens;
              next = (next + 1) % tokens.length;
              return { ...request, ...workloadRequest(workload, tokens[next]!, client) };
            },
          },
        ],
      }),
  };
}

/** CPU µs per request of `a` and `b`, loaded at the same time on the same core. */
async function sideBySide(a: string, b: string): Promise<[number, number]> {
  const pair = [await start(a), await start(b)];
  try {
    await Promise.all(pair.map((server) => server.load(2))); // warm-up: JIT, caches, connections
    const before = pair.map((server) => cpuSeconds(server.child.pid!));
    const results = await Promise.all(pair.map((server) => server.load(Number(options.duration))));
    const micros = pair.map((server, i) => {
      const result = results[i]!;
      if (result.non2xx > 0 || result.errors > 0) throw new Error(`${servers[i]}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      return ((cpuSeconds(server.child.pid!) - before[i]!) * 1e6) / result.requests.total;
    });
    return [micros[0]!, micros[1]!];
  } finally {
    for (const server of pair) {
      server.child.kill('SIGKILL');
      await once(server.child, 'exit');
    }
  }
}

console.log(`Both servers pinned to core 0, ${options.rounds} rounds of ${options.duration} s`);
for (const other of others) {
  const ratios: number[] = [];
  for (let round = 0; round < Number(options.rounds); round += 1) {
    const [base, candidate] = await sideBySide(baseline, other);
    ratios.push(candidate / base);
    console.log(`  ${other}: ${candidate.toFixed(1)} µs/req vs ${baseline}: ${base.toFixed(1)} µs/req = ${(candidate / base).toFixed(3)}x`);
  }
  const sorted = [...ratios].sort((x, y) => x - y);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  console.log(`${other} costs ${median.toFixed(2)}x the CPU of ${baseline} per request (median; range ${sorted[0]!.toFixed(2)}–${sorted.at(-1)!.toFixed(2)})`);
}
rmSync(directory, { recursive: true, force: true });
