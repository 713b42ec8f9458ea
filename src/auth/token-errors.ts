import { AppError } from '../errors/app-error.ts';
import { ERRORS } from '../errors/codes.ts';

export type TokenErrorCode = 'token_invalid' | 'token_expired' | 'token_revoked';

/**
 * A 401 for a token that was sent but cannot be used, with the RFC 6750 §3
 * challenge: `error="invalid_token"` and a description a developer can read.
 */
export function tokenError(code: TokenErrorCode): AppError {
  const description = ERRORS[code].message;
  return new AppError(code, description, {
    headers: {
      'WWW-Authenticate': `Bearer realm="tessera", error="invalid_token", error_description="${description}"`,
    },
  });
}
