import type { AuthSession } from '../auth/state.ts';
import type { IssuedTokens } from './service.ts';
import { secondsUntil } from './time.ts';

/**
 * The contract's *Token pair*. Lifetimes count from the moment the tokens
 * were issued, not from a second clock reading here, so `expires_in` is
 * ACCESS_TOKEN_TTL exactly (or the session's remaining life when shorter).
 */
export function presentTokenPair(tokens: IssuedTokens) {
  const issuedAt = new Date(tokens.issuedAt);
  return {
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    token_type: 'Bearer',
    expires_in: secondsUntil(tokens.accessExpiresAt, issuedAt),
    refresh_expires_in: secondsUntil(tokens.sessionExpiresAt, issuedAt),
    session_id: tokens.sessionId,
  };
}

/** The contract's *Session*; `current` marks the device making the request. */
export function presentSession(session: AuthSession, currentSessionId: string | undefined) {
  return {
    id: session.id,
    device_name: session.deviceName,
    user_agent: session.userAgent,
    ip: session.ip,
    created_at: session.createdAt,
    last_used_at: session.lastUsedAt,
    expires_at: session.expiresAt,
    current: session.id === currentSessionId,
  };
}
