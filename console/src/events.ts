/** Audit event types (API.md, "Administration") and what people call them. */
export const EVENT_LABELS: Record<string, string> = {
  user_registered: 'Account created',
  login_succeeded: 'Signed in',
  login_failed: 'Sign-in failed',
  token_refreshed: 'Session refreshed',
  refresh_token_reused: 'Refresh token reused (session ended)',
  logged_out: 'Signed out',
  logged_out_all: 'Signed out everywhere',
  session_revoked: 'Device revoked',
  password_changed: 'Password changed',
  user_disabled: 'Account disabled',
  user_enabled: 'Account enabled',
  admin_granted: 'Made an admin',
  admin_revoked: 'Admin role removed',
  rate_limited: 'Rate limited',
  token_created: 'Token created',
  token_revoked: 'Token revoked',
  client_created: 'Service client created',
  client_deleted: 'Service client deleted',
};

export function eventLabel(type: string): string {
  return EVENT_LABELS[type] ?? type.replaceAll('_', ' ');
}

/** `{name: "ci", revoked: 2}` → "name: ci, revoked: 2"; ids of the event itself are shown elsewhere. */
export function describeDetail(detail: Record<string, unknown> | null): string {
  if (!detail) return '';
  return Object.entries(detail)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([key, value]) => `${key.replaceAll('_', ' ')}: ${String(value)}`)
    .join(', ');
}
