import { randomBytes, randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Origin } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import { generateToken, hashToken, isWellFormedToken, TOKEN_PREFIXES } from '../crypto/tokens.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors/app-error.ts';
import * as sessions from '../sessions/repository.ts';
import type { RevokingTransaction } from '../sessions/revoking-transaction.ts';
import { iso } from '../sessions/time.ts';
import type { TokensService } from '../tokens/service.ts';
import type { ClientAuthenticator } from './client-auth.ts';
import * as clients from './repository.ts';
import type { ClientRow } from './repository.ts';

export type OAuthService = ReturnType<typeof createOAuthService>;

/**
 * Service clients (credentials for resource servers) and RFC 7009 token
 * revocation. Introspection itself is introspection.ts.
 */
export function createOAuthService(deps: {
  db: Db;
  clock: Clock;
  audit: AuditLog;
  tokens: TokensService;
  clientAuth: ClientAuthenticator;
  revokingTransaction: RevokingTransaction;
}) {
  const { db, clock, audit, tokens, clientAuth, revokingTransaction } = deps;

  /** Ends the session a live access or refresh token belongs to, as a logout via this endpoint. */
  async function revokeSession(find: (trx: Db, now: string) => Promise<{ id: string; user_id: number } | undefined>, origin: Origin) {
    await revokingTransaction(async (trx, invalidate) => {
      const now = iso(clock());
      const session = await find(trx, now);
      if (!session || !(await sessions.revokeSession(trx, session.id, now, 'logout'))) return;
      const detail = { reason: 'logout', via: 'revocation_endpoint' };
      await audit.record({ type: 'logged_out', userId: session.user_id, sessionId: session.id, detail }, origin, trx);
      invalidate({ kind: 'session', id: session.id });
    });
  }

  return {
    /** POST /admin/clients: the secret (`tsr_cs_…`) exists in plaintext only in the answer. */
    async createClient(name: string, origin: Origin): Promise<{ row: ClientRow; secret: string }> {
      const now = clock();
      const secret = generateToken('clientSecret', 'client', now);
      const row: ClientRow = {
        id: randomUUID(),
        name,
        // Not a secret, but unguessable anyway: URL-safe, so it needs no encoding in Basic auth.
        client_id: `tsr_client_${randomBytes(16).toString('base64url')}`,
        secret_hash: hashToken(secret),
        created_at: iso(now),
        last_used_at: null,
      };
      await db.transaction(async (trx) => {
        await clients.insertClient(trx, row);
        await audit.record({ type: 'client_created', detail: { client_id: row.client_id, name } }, origin, trx);
      });
      return { row, secret };
    },

    listClients: () => clients.listClients(db),

    /**
     * DELETE /admin/clients/:id. Through the revoking transaction, so every
     * instance re-checks the secrets it remembered (client-auth.ts).
     */
    async deleteClient(id: string, origin: Origin): Promise<void> {
      const deleted = await revokingTransaction(async (trx, invalidate) => {
        const row = await clients.findClient(trx, id);
        if (!row || !(await clients.deleteClient(trx, id))) return undefined;
        await audit.record({ type: 'client_deleted', detail: { client_id: row.client_id, name: row.name } }, origin, trx);
        invalidate({ kind: 'client', id: row.client_id });
        return row;
      });
      if (!deleted) throw new AppError('not_found', 'No such client.');
      clientAuth.forget(deleted.client_id);
    },

    /**
     * RFC 7009 §2.1: a valid access or refresh token ends its whole session,
     * a personal access token ends itself; anything else (unknown, already
     * revoked, garbage) changes nothing. The caller answers 200 either way.
     */
    async revoke(token: string, origin: Origin): Promise<void> {
      if (isWellFormedToken(token, 'access')) {
        const hash = hashToken(token);
        await revokeSession(async (trx, now) => {
          const [row] = await sessions.findSessionsByAccessHashes(trx, [hash]);
          return row && row.revoked_at === null && row.expires_at > now ? row : undefined;
        }, origin);
      } else if (isWellFormedToken(token, 'refresh')) {
        const hash = hashToken(token);
        await revokeSession(async (trx, now) => {
          const row = await sessions.findRefreshToken(trx, hash);
          const live = row && row.rotated_at === null && row.revoked_at === null && row.expires_at > now;
          return live ? row : undefined;
        }, origin);
      } else if (token.startsWith(TOKEN_PREFIXES.personal) && isWellFormedToken(token, 'personal')) {
        await tokens.revokeByPlaintext(token, origin);
      }
    },
  };
}
