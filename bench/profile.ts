/**
 * `npm run bench:profile` — where the hot path spends its time. Seeds a
 * SQLite file, runs the Tessera bench server under `node --cpu-prof` (pinned
 * to one core), loads GET /api/v1/me, and prints the functions with the most
 * self time, grouped as "file:function".
 *
 * Options: --duration S (default 8), --cache on|off (default on),
 * --out DIR (where the .cpuprofile is written, default a temporary folder).
 */
import { fork } from 'node:child_process';
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

const { values: options } = parseArgs({
  options: {
    duration: { type: 'string', default: '8' },
    cache: { type: 'string', default: 'on' },
    out: { type: 'string' },
  },
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}
interface Profile {
  nodes: ProfileNode[];
}

const directory = options.out ?? mkdtempSync(join(tmpdir(), 'tessera-profile-'));
const file = join(directory, 'profile.sqlite');
const db = createDb(file);
await migrateToLatest(db);
const { accessTokens } = await seed(db, { users: 1000, sessions: 10_000, tokens: 2000, expiredSessions: 0 });
await db.destroy();

const port = 42000 + Math.floor(Math.random() * 1000);
const child = fork(compiledServer('tessera.ts'), [String(port)], {
  execPath: 'taskset',
  execArgv: ['-c', '0', process.execPath, '--cpu-prof', `--cpu-prof-dir=${directory}`],
  env: {
    ...process.env,
    DATABASE_URL: file,
    AUTH_CACHE: options.cache,
    LOG_LEVEL: 'warn',
    RATE_LIMIT: 'off',
  },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
await once(child, 'message');

let next = 0;
const result = await autocannon({
  url: `http://127.0.0.1:${port}/api/v1/me`,
  connections: 50,
  duration: Number(options.duration),
  requests: [
    {
      setupRequest: (request) => {
        next = (next + 1) % accessTokens.length;
        return { ...request, headers: { authorization: `Bearer ${accessTokens[next]}` } };
      },
    },
  ],
});
child.send('exit');
await once(child, 'exit');
console.log(`${Math.round(result.requests.average)} req/s, ${result.non2xx} non-2xx; profile in ${directory}`);

const profileFile = readdirSync(directory).find((name) => name.endsWith('.cpuprofile'));
if (!profileFile) throw new Error('no profile written');
const profile = JSON.parse(readFileSync(join(directory, profileFile), 'utf8')) as Profile;
const selfHits = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.startsWith('file://') ? relative(process.cwd(), new URL(url).pathname) : url;
  const key = `${where || '(native)'}:${lineNumber + 1} ${functionName || '(anonymous)'}`;
  selfHits.set(key, (selfHits.get(key) ?? 0) + node.hitCount);
  total += node.hitCount;
}
const top = [...selfHits].sort((a, b) => b[1] - a[1]).slice(0, 40);
for (const [key, hits] of top) console.log(`${((hits / total) * 100).toFixed(1).padStart(5)} %  ${key}`);
