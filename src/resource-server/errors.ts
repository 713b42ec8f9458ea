/** The contract's error codes, so the Koa middleware can answer with Tessera's own bodies. */
export class ResourceServerError extends Error {
  override name = 'ResourceServerError';
  constructor(
    readonly status: number,
    readonly code: 'token_missing' | 'token_invalid' | 'insufficient_scope' | 'service_unavailable',
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
