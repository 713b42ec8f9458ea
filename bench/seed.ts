/**
 * Fills a fresh database for the bench: users, live sessions whose access
 * tokens the load generator uses, filler sessions (to measure lookups at a
 * given table size), long-expired sessions (for the prune scenario),
 * personal access tokens and one service client (issue 11's rows).
 * Rows are written directly, in large transactions, through knex.
 */
import { randomUUID } from 'node:crypto';
import { createPasswordHasher } from '../src/crypto/passwords.ts';
import { generateToken, hashToken } from '../src/crypto/tokens.ts';
import type { Db } from '../src/db/connection.ts';

export const BENCH_PASSWORD = 'bench password, long enough';

export interface SeedPlan {
  readonly users: number;
  /** Live sessions in all, of which `tokens` have known access tokens. */
  readonly sessions: number;
  readonly tokens: number;
  /** Sessions that expired a year ago, for prune to delete. */
  readonly expiredSessions: number;
}

export interface Seeded {
  readonly accessTokens: string[];
  /** Personal access tokens holding `profile:read` (GET /me), `tokens` of them, one per session user. */
  readonly personalTokens: string[];
  /** A service client for POST /oauth/introspect. */
  readonly client: { readonly clientId: string; readonly clientSecret: string };
  readonly usernames: string[];
}

const CHUNK = 500;

async function insertChunked(db: Db, table: string, count: number, row: (i: number) => object) {
  for (let start = 0; start < count; start += CHUNK * 20) {
    await db.transaction(async (trx) => {
      for (let chunk = start; chunk < Math.min(count, start + CHUNK * 20); chunk += CHUNK) {
        const rows = [];
        for (let i = chunk; i < Math.min(count, chunk + CHUNK); i += 1) rows.push(row(i));
        await trx(table).insert(rows);
      }
    });
  }
}

export async function seed(db: Db, plan: SeedPlan): Promise<Seeded> {
  const now = new Date();
  const iso = (offsetSeconds: number) => new Date(now.getTime() + offsetSeconds * 1000).toISOString();
  // One real argon2id hash (OWASP parameters) shared by every bench user.
  const passwordHash = await createPasswordHasher().hash(BENCH_PASSWORD);

  await insertChunked(db, 'users', plan.users, (i) => ({
    id: i + 1,
    username: `user${i + 1}`,
    username_key: `user${i + 1}`,
    email: null,
    email_key: null,
    password_hash: passwordHash,
    is_admin: false,
    disabled: false,
    created_at: iso(-86400),
    updated_at: iso(-86400),
  }));

  const accessTokens: string[] = [];
  const session = (i: number, live: boolean) => {
    const userId = (i % plan.users) + 1;
    let accessHash = hashToken(randomUUID());
    if (live && i < plan.tokens) {
      const token = generateToken('access', String(userId), now);
      accessTokens.push(token);
      accessHash = hashToken(token);
    }
    return {
      id: randomUUID(),
      user_id: userId,
      device_name: 'bench',
      user_agent: null,
      ip: null,
      created_at: iso(live ? -60 : -400 * 86400),
      last_used_at: iso(live ? 0 : -400 * 86400),
      expires_at: iso(live ? 14 * 86400 : -365 * 86400),
      max_expires_at: iso(live ? 30 * 86400 : -365 * 86400),
      access_token_hash: accessHash,
      access_expires_at: iso(live ? 86400 : -365 * 86400),
      revoked_at: null,
      revoked_reason: null,
    };
  };
  await insertChunked(db, 'sessions', plan.sessions, (i) => session(i, true));
  await insertChunked(db, 'sessions', plan.expiredSessions, (i) => session(plan.sessions + i, false));

  const personalTokens: string[] = [];
  await insertChunked(db, 'personal_access_tokens', plan.tokens, (i) => {
    const userId = (i % plan.users) + 1;
    const token = generateToken('personal', String(userId), now);
    personalTokens.push(token);
    return {
      id: randomUUID(),
      user_id: userId,
      name: 'bench',
      abilities: JSON.stringify(['profile:read']),
      token_hash: hashToken(token),
      created_at: iso(-60),
      last_used_at: null,
      expires_at: iso(30 * 86400),
      revoked_at: null,
    };
  });

  const client = { clientId: 'tsr_client_bench', clientSecret: generateToken('clientSecret', 'client', now) };
  await db('service_clients').insert({
    id: randomUUID(),
    name: 'bench',
    client_id: client.clientId,
    secret_hash: hashToken(client.clientSecret),
    created_at: iso(-60),
    last_used_at: null,
  });

  const usernames = Array.from({ length: Math.min(plan.users, 100) }, (_, i) => `user${i + 1}`);
  return { accessTokens, personalTokens, client, usernames };
}
