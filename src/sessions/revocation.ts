import type { AuditLog } from '../audit/audit-log.ts';
import type { Origin } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors/app-error.ts';
import * as sessions from './repository.ts';
import type { RevokingTransaction } from './revoking-transaction.ts';

export type SessionRevocation = ReturnType<typeof createSessionRevocation>;

/**
 * Every way a session ends early. Each revocation is a conditional update of
 * the session row (`revoked_at IS NULL`), written in one transaction with
 * its audit event, through the revoking transaction (revoking-transaction.ts)
 * so that cached tokens on every instance stop too. The next request with
 * that session's token is refused.
 */
export function createSessionRevocation(deps: {
  clock: Clock;
  audit: AuditLog;
  revokingTransaction: RevokingTransaction;
}) {
  const { clock, audit, revokingTransaction } = deps;
  const now = () => clock().toISOString();

  /** Revokes one live session of `userId` (any user when undefined); not_found otherwise. */
  async function revokeOne(
    sessionId: string,
    userId: number | undefined,
    reason: 'logout' | 'revoked_by_user' | 'revoked_by_admin',
    origin: Origin,
  ): Promise<void> {
    const revoked = await revokingTransaction(async (trx, invalidate) => {
      const at = now();
      const session = await sessions.findLiveSession(trx, sessionId, at);
      if (!session || (userId !== undefined && session.user_id !== userId)) return false;
      if (!(await sessions.revokeSession(trx, session.id, at, reason))) return false;
      const type = reason === 'logout' ? 'logged_out' : 'session_revoked';
      await audit.record({ type, userId: session.user_id, sessionId: session.id, detail: { reason } }, origin, trx);
      invalidate({ kind: 'session', id: session.id });
      return true;
    });
    if (!revoked) throw new AppError('not_found', 'No such session.');
  }

  return {
    /** POST /logout: this device only. */
    logout: (sessionId: string, origin: Origin) => revokeOne(sessionId, undefined, 'logout', origin),

    /** DELETE /sessions/:id: one of the caller's own devices; anyone else's is not_found. */
    revokeOwnSession: (userId: number, sessionId: string, origin: Origin) =>
      revokeOne(sessionId, userId, 'revoked_by_user', origin),

    /** DELETE /admin/sessions/:id. */
    revokeSessionAsAdmin: (sessionId: string, origin: Origin) =>
      revokeOne(sessionId, undefined, 'revoked_by_admin', origin),

    /** POST /logout/all: every live session of the user, optionally keeping the caller's. */
    logoutEverywhere(userId: number, origin: Origin, keepSessionId?: string): Promise<number> {
      return revokingTransaction(async (trx, invalidate) => {
        const revoked = await sessions.revokeUserSessions(trx, userId, now(), 'logout_all', keepSessionId);
        const detail = { revoked, kept_current: keepSessionId !== undefined };
        await audit.record({ type: 'logged_out_all', userId, sessionId: keepSessionId, detail }, origin, trx);
        invalidate({ kind: 'user', id: String(userId) });
        return revoked;
      });
    },

    /** DELETE /admin/users/:id/sessions. */
    revokeAllAsAdmin(userId: number, origin: Origin): Promise<number> {
      return revokingTransaction(async (trx, invalidate) => {
        const revoked = await sessions.revokeUserSessions(trx, userId, now(), 'revoked_by_admin');
        const detail = { reason: 'revoked_by_admin', revoked };
        await audit.record({ type: 'session_revoked', userId, detail }, origin, trx);
        invalidate({ kind: 'user', id: String(userId) });
        return revoked;
      });
    },
  };
}
