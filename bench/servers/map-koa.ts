/**
 * Baseline: the in-memory ceiling of an opaque-token check — Koa, SHA-256 of
 * the bearer token, one Map lookup, the /me JSON. No database, no headers
 * beyond Koa's own, no expiry or revocation checks. Loads the live sessions
 * of the bench database (DATABASE_URL) into the Map at start.
 */
import { hash } from 'node:crypto';
import Koa from 'koa';
import Router from '@koa/router';
import { createDb } from '../../src/db/connection.ts';
import { meBody, serveBench } from './shared.ts';

const db = createDb(process.env.DATABASE_URL ?? '');
const rows: Array<{ access_token_hash: string; user_id: number; id: string }> = await db('sessions')
  .whereNull('revoked_at')
  .select('access_token_hash', 'user_id', 'id');
await db.destroy();
const sessions = new Map(rows.map((row) => [row.access_token_hash, row]));

const router = new Router().get('/api/v1/me', (ctx) => {
  const token = /^Bearer (.+)$/i.exec(ctx.get('Authorization'))?.[1];
  const session = token === undefined ? undefined : sessions.get(hash('sha256', token, 'hex'));
  if (!session) {
    ctx.status = 401;
    return;
  }
  ctx.body = meBody(String(session.user_id), session.id);
});
const app = new Koa();
app.use(router.routes());
serveBench(app);
