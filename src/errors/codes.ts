/**
 * Every error code of the contract (docs/api.md, "Errors") with its
 * status and default message. `method_not_allowed` (405, with `Allow`) is
 * Tessera's own addition for a case the table does not name.
 */
export const ERRORS = {
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  validation_failed: { status: 400, message: 'The request is not valid.' },
  invalid_request: { status: 400, message: 'The request is missing the token parameter.' },
  token_missing: { status: 401, message: 'No bearer token was sent.' },
  token_invalid: { status: 401, message: 'The token is malformed, unknown, or of the wrong type.' },
  token_expired: { status: 401, message: 'The token or its session has expired.' },
  token_revoked: { status: 401, message: 'The session was logged out or revoked.' },
  refresh_token_rotated: {
    status: 401,
    message: 'This refresh token was just rotated; use the newest token pair.',
  },
  refresh_token_reused: {
    status: 401,
    message: 'This refresh token was already used; the session has been revoked.',
  },
  invalid_credentials: { status: 401, message: 'Invalid username or password.' },
  invalid_client: { status: 401, message: 'Client authentication failed.' },
  account_disabled: { status: 403, message: 'This account has been disabled.' },
  forbidden: { status: 403, message: 'You are not allowed to do this.' },
  insufficient_scope: { status: 403, message: 'The token lacks the ability this route needs.' },
  csrf_failed: {
    status: 403,
    message: 'A cookie-authenticated request must come from an allowed origin (Origin header).',
  },
  not_found: { status: 404, message: 'Not found.' },
  method_not_allowed: { status: 405, message: 'Method not allowed.' },
  username_taken: { status: 409, message: 'That username is taken.' },
  email_taken: { status: 409, message: 'That email address is already registered.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: {
    status: 415,
    message: 'Send the request body as JSON with Content-Type: application/json.',
  },
  rate_limited: { status: 429, message: 'Too many requests; try again later.' },
  internal_error: { status: 500, message: 'Internal error.' },
  service_unavailable: {
    status: 503,
    message: 'The service is temporarily unavailable; try again shortly.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;
