/**
 * `npm run bench:profile` — where the hot path spends its time. Seeds a
 * SQLite file, runs a bench server under `node --cpu-prof` (pinned to one
 * core), loads GET /api/v1/me (a 3 s warm-up, then the measured load), and
 * prints the functions with the most self time during the measured load
 * only (start-up and warm-up left out), as "file:function", in µs per
 * request.
 *
 * Options: --duration S (default 8), --cache on|off (default on),
 * --server NAME (a script of bench/servers, default tessera; bare-koa
 * profiles the baseline; resource-server-koa gets a Tessera of its own on
 * core 1, not profiled), --workload me|introspect (bench/workloads.ts), --limits (rate limiting
 * on, every request counted, none refused), --out DIR (where the .cpuprofile is written,
 * default a temporary folder).
 */
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createDb } from '../src/db/connection.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { compiledServer } from './compiled.ts';
import { seed } from './seed.ts';
import { COUNTED_LIMITS, spawnServer } from './side-by-side.ts';
import { workloadRequest } from './workloads.ts';

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    cache: { type: 'string', default: 'on' },
    server: { type: 'string', default: 'tessera' },
    workload: { type: 'string', default: 'me' },
    limits: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const directory = options.out ?? mkdtempSync(join(tmpdir(), 'tessera-profile-'));
const file = join(directory, 'profile.sqlite');
const db = createDb(file);
await migrateToLatest(db);
const { accessTokens, client } = await seed(db, { users: 1000, sessions: 10_000, tokens: 2000, expiredSessions: 0 });
await db.destroy();

// Below the ephemeral range (32768-60999 here), where the load generator's own sockets could hold the port.
const port = 24000 + Math.floor(Math.random() * 1000);
const env = {
  DATABASE_URL: file,
  AUTH_CACHE: options.cache,
  ...(options.limits ? COUNTED_LIMITS : { RATE_LIMIT: 'off' }),
};
// The resource-server client introspects with a Tessera of its own, on core 1 and not profiled.
const resourceServer = options.server === 'resource-server-koa';
if (resourceServer && options.workload !== 'me') throw new Error('resource-server-koa serves GET /me only');
const tessera = resourceServer ? await spawnServer(compiledServer('tessera.ts'), port + 1, '1', env) : undefined;
// Killed on any exit, a failed load included, so no server outlives the bench.
process.on('exit', () => tessera?.kill());
const child = await spawnServer(
  compiledServer(`${options.server}.ts`),
  port,
  '0',
  { ...env, TESSERA_URL: `http://127.0.0.1:${port + 1}`, CLIENT_ID: client.clientId, CLIENT_SECRET: client.clientSecret },
  ['--cpu-prof', `--cpu-prof-dir=${directory}`],
);
process.on('exit', () => child.kill());

let next = 0;
const load = (limit: { duration: number } | { amount: number }) =>
  autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: 50,
    ...limit,
    requests: [
      {
        setupRequest: (request) => {
          next = (next + 1) % accessTokens.length;
          return { ...request, ...workloadRequest(options.workload, accessTokens[next]!, client) };
        },
      },
    ],
  });
// Each token once first: the resource server's misses cost milliseconds each.
if (resourceServer) await load({ amount: accessTokens.length });
await load({ duration: 3 }); // warm-up: JIT, the session cache, connections
const measuredFrom = performance.now();
const result = await load({ duration: Number(options.duration) });
const measuredTo = performance.now();
child.send('exit');
await once(child, 'exit');
const exitedAt = performance.now();
console.log(`${options.server}: ${Math.round(result.requests.average)} req/s, ${result.non2xx} non-2xx; profile in ${directory}`);

const profileFile = readdirSync(directory).find((name) => name.endsWith('.cpuprofile'));
if (!profileFile) throw new Error('no profile written');
const profile = JSON.parse(readFileSync(join(directory, profileFile), 'utf8')) as Profile;

// The profile ends when the server exits: the measured load is the stretch that ended
// (exitedAt - measuredTo) before that and lasted (measuredTo - measuredFrom).
const windowEnd = profile.endTime - (exitedAt - measuredTo) * 1000;
const windowStart = profile.endTime - (exitedAt - measuredFrom) * 1000;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<string, number>();
let busy = 0;
let at = profile.startTime;
for (let i = 0; i < profile.samples.length; i += 1) {
  at += profile.timeDeltas[i]!;
  if (at < windowStart || at > windowEnd) continue;
  const { functionName, url, lineNumber } = nodes.get(profile.samples[i]!)!.callFrame;
  if (functionName === '(idle)') continue;
  const where = url.startsWith('file://') ? relative(process.cwd(), new URL(url).pathname) : url;
  const key = `${where || '(native)'}:${lineNumber + 1} ${functionName || '(anonymous)'}`;
  // A sample stands for the time until the next one.
  const micros = profile.timeDeltas[i + 1] ?? 0;
  selfMicros.set(key, (selfMicros.get(key) ?? 0) + micros);
  busy += micros;
}
const requests = result.requests.total;
console.log(`busy ${(busy / requests).toFixed(1)} µs per request (profiler overhead included)`);
const top = [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, 40);
for (const [key, micros] of top) {
  console.log(`${(micros / requests).toFixed(2).padStart(6)} µs  ${((micros / busy) * 100).toFixed(1).padStart(5)} %  ${key}`);
}
