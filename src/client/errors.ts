/**
 * Typed errors, after Octokit's `RequestError`: every failure the client
 * reports is a `TesseraError` carrying the HTTP status, the contract's error
 * code, its details and the server's request id (quote it in bug reports).
 */

/** One `details[]` entry of a `validation_failed` answer. */
export interface ErrorDetail {
  field: string;
  message: string;
}

/** Codes the client produces itself, beside the contract's (which the server sends). */
export type ClientErrorCode = 'timeout' | 'network_error' | 'invalid_response' | 'http_error' | 'not_signed_in';

export class TesseraError extends Error {
  override readonly name: string = 'TesseraError';
  /** HTTP status; 0 when no response arrived (timeout, network). */
  readonly status: number;
  /** The contract's error code (`validation_failed`, `token_expired`, …) or a {@link ClientErrorCode}. */
  readonly code: string;
  readonly details: ErrorDetail[];
  /** The response's `X-Request-Id`, or null when there was no response. */
  readonly requestId: string | null;
  /** `Retry-After` in seconds, for 429 and 503. */
  readonly retryAfter: number | null;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    details?: ErrorDetail[];
    requestId?: string | null;
    retryAfter?: number | null;
    cause?: unknown;
  }) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? [];
    this.requestId = init.requestId ?? null;
    this.retryAfter = init.retryAfter ?? null;
  }
}

/** No answer within the request's timeout (`timeoutMs`). */
export class TesseraTimeoutError extends TesseraError {
  override readonly name = 'TesseraTimeoutError';
  constructor(timeoutMs: number) {
    super({ status: 0, code: 'timeout', message: `No response within ${timeoutMs} ms.` });
  }
}

/** The request never got an HTTP answer (DNS, refused connection, CORS, reset). */
export class TesseraNetworkError extends TesseraError {
  override readonly name = 'TesseraNetworkError';
  constructor(cause: unknown) {
    super({ status: 0, code: 'network_error', message: 'The request failed before a response arrived.', cause });
  }
}

/** True for the errors that may succeed if tried again later (nothing is wrong with the session). */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof TesseraError)) return false;
  return error.status === 0 || error.status === 429 || error.status >= 500;
}
