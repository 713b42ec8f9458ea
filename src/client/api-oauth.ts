import type { Caller, CallOptions } from './caller.ts';
import type { ClientCredentials, Introspection, TokenTypeHint } from './types.ts';

/**
 * RFC 7662 introspection and RFC 7009 revocation, for services that validate
 * tokens over HTTP. Bodies go as JSON, which the contract accepts beside form
 * encoding; the signed-in session is never sent along.
 */
export function oauthApi(caller: Caller, defaultCredentials?: ClientCredentials) {
  return {
    /**
     * `{active: false}` for any token that is not usable now; the caller
     * authenticates as a service client (HTTP Basic, RFC 6749 §2.3.1).
     */
    introspect: (
      token: string,
      options: CallOptions & { hint?: TokenTypeHint; credentials?: ClientCredentials } = {},
    ) => {
      const credentials = options.credentials ?? defaultCredentials;
      return caller.call<Introspection>(
        {
          method: 'POST',
          path: '/oauth/introspect',
          body: { token, ...(options.hint ? { token_type_hint: options.hint } : {}) },
          headers: credentials ? { Authorization: basicAuthorization(credentials) } : {},
        },
        'none',
        options,
      );
    },
    /** Revokes a token's session (or the PAT); answers `{}` whether or not the token was known. */
    revoke: (token: string, options: CallOptions & { hint?: TokenTypeHint; credentials?: ClientCredentials } = {}) =>
      caller.call<Record<string, never>>(
        {
          method: 'POST',
          path: '/oauth/revoke',
          body: { token, ...(options.hint ? { token_type_hint: options.hint } : {}) },
          headers: options.credentials ? { Authorization: basicAuthorization(options.credentials) } : {},
        },
        'none',
        options,
      ),
  };
}

/** RFC 6749 §2.3.1: id and secret are form-encoded, joined by a colon, then base64. */
export function basicAuthorization({ clientId, clientSecret }: ClientCredentials): string {
  const form = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${btoa(`${form(clientId)}:${form(clientSecret)}`)}`;
}
