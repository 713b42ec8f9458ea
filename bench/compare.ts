/**
 * `npm run bench:compare -- A B [C …]` — server CPU per request of bench
 * servers side by side (bench/side-by-side.ts): A and each other server run
 * at the same time, pinned to the same core, each loaded by its own
 * autocannon, so the ratio of their CPU per request holds still where two
 * runs minutes apart do not: use it to judge one change.
 *
 * A server is a script of bench/servers (`tessera`, `bare-koa`, …), or the
 * path of a compiled server of another build, e.g. the tree of an earlier
 * commit built with `npm run build` in a git worktree. `@introspect` after
 * it loads POST /oauth/introspect (form body, Basic client credentials, a
 * cached active token) instead of GET /me, and `@pat` loads GET /me with
 * personal access tokens instead of session tokens; `+limits` after the
 * name runs it with rate limiting on (limits too high to refuse anything,
 * so every request is counted), as a server runs by default:
 *   npm run bench:compare -- bare-koa tessera@introspect
 *   npm run bench:compare -- tessera tessera@pat
 *   npm run bench:compare -- tessera tessera+limits
 *   git worktree add /tmp/before HEAD~1 && (cd /tmp/before && npm ci && npm run build)
 *   npm run bench:compare -- /tmp/before/dist/bench/servers/tessera.js tessera
 *
 * Options: --rounds N (default 3), --duration S per round (default 4),
 * --connections N per server (default 25).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDb } from '../src/db/connection.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { seed } from './seed.ts';
import { compareSideBySide } from './side-by-side.ts';

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
const databaseFile = join(directory, 'compare.sqlite');
const db = createDb(databaseFile);
await migrateToLatest(db);
const seeded = await seed(db, { users: 1000, sessions: 10_000, tokens: 2000, expiredSessions: 0 });
await db.destroy();

console.log(`Both servers pinned to core 0, ${options.rounds} rounds of ${options.duration} s`);
for (const other of others) {
  const { median, min, max } = await compareSideBySide(baseline, other, {
    databaseFile,
    seeded,
    rounds: Number(options.rounds),
    duration: Number(options.duration),
    connections: Number(options.connections),
    onRound: (candidate, base) =>
      console.log(`  ${other}: ${candidate.toFixed(1)} µs/req vs ${baseline}: ${base.toFixed(1)} µs/req = ${(candidate / base).toFixed(3)}x`),
  });
  console.log(`${other} costs ${median.toFixed(2)}x the CPU of ${baseline} per request (median; range ${min.toFixed(2)}–${max.toFixed(2)})`);
}
rmSync(directory, { recursive: true, force: true });
