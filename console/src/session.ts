import { localStorageTokenStore, TesseraClient, TesseraError } from '../../src/client/index.ts';

/**
 * The console's one client: cookie mode, so the tokens live in HttpOnly
 * cookies and never in JavaScript. The store keeps only what cookie mode
 * keeps (session id and expiry times, no secret); it is in localStorage so
 * that a reload can tell "your session expired" from "never signed in", and
 * tabs share refreshes.
 */
export function createConsoleClient(onSessionEnd: (reason: string) => void): TesseraClient {
  return new TesseraClient({
    mode: 'cookie',
    store: localStorageTokenStore('tessera.console.session'),
    channelName: 'tessera-console',
    timeoutMs: 15_000,
    onSessionEnd,
  });
}

/**
 * Whether `error` means the browser is no longer signed in: a 401, including
 * the SDK's `not_signed_in` when the browser had no refresh cookie left.
 */
export function sessionLost(error: unknown): boolean {
  return error instanceof TesseraError && error.status === 401;
}

const ENDED_KEY = 'tessera.console.ended';

/**
 * Why this browser's last session ended, kept until the next sign-in: the SDK
 * forgets an ended session, so without this a reload could not tell "your
 * session expired" from a first visit.
 */
export const lastSessionEnd = {
  remember(reason: string): void {
    localStorage.setItem(ENDED_KEY, reason);
  },
  recall(): string | null {
    return localStorage.getItem(ENDED_KEY);
  },
  forget(): void {
    localStorage.removeItem(ENDED_KEY);
  },
};

/** What the sign-in screen says after a session ended: `reason` is the SDK's end reason or an error code. */
export function endMessage(reason: string): string | undefined {
  switch (reason) {
    case 'logout':
      return 'You have signed out.';
    case 'token_revoked':
      return 'This session was signed out from another device or by an administrator. Sign in again.';
    case 'refresh_token_reused':
      return 'This session was ended because its refresh token was used twice, which can mean it was stolen. Sign in again.';
    case 'account_disabled':
      return 'This account has been disabled.';
    default:
      return 'Your session has expired. Sign in again.';
  }
}

/** A failure as one sentence for an error notice; the request id helps whoever reads the logs. */
export function describeError(error: unknown): string {
  if (!(error instanceof TesseraError)) return 'Something went wrong. Try again.';
  if (error.code === 'network_error') return 'Tessera could not be reached. Check your connection and try again.';
  if (error.code === 'timeout') return 'Tessera took too long to answer. Try again.';
  if (error.code === 'rate_limited') {
    return `Too many requests. Try again in ${error.retryAfter ?? 'a few'} seconds.`;
  }
  const detail = error.details.map((d) => `${d.field} ${d.message}`).join('; ');
  const reference = error.requestId ? ` (request ${error.requestId})` : '';
  return `${error.message}${detail ? ` ${detail}.` : ''}${reference}`;
}
