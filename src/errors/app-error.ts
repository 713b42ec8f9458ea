import { ERRORS, type ErrorCode } from './codes.ts';

/** One invalid field of a request, as listed in `details` of `validation_failed`. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/**
 * The only error type that handlers and services throw on purpose. It carries
 * the HTTP status and the contract's snake_case code; the error middleware
 * turns it into `{error, message, details?}` (anything else becomes a 500).
 */
export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  readonly code: ErrorCode;
  readonly details: readonly FieldProblem[] | undefined;
  /** Extra response headers, e.g. `WWW-Authenticate` or `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Koa's own error handling reads `status`, `expose` and `headers`, so an
   * app that embeds Tessera's middleware without Tessera's error handler
   * still answers with the right status and WWW-Authenticate challenge.
   */
  readonly expose: boolean;

  constructor(
    code: ErrorCode,
    message: string = ERRORS[code].message,
    options: { details?: readonly FieldProblem[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.code = code;
    this.status = ERRORS[code].status;
    this.details = options.details;
    this.headers = options.headers ?? {};
    this.expose = this.status < 500;
  }
}

/** Shorthand for a `validation_failed` error on one or more fields. */
export function validationFailed(details: readonly FieldProblem[]): AppError {
  return new AppError('validation_failed', undefined, { details });
}
