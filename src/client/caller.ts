import type { RequestSpec } from './transport.ts';

/** Per-call options of every SDK method. */
export interface CallOptions {
  /** Aborting rejects the call with the signal's reason (a shared refresh goes on for the others). */
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call; past it the call fails with `TesseraTimeoutError`. */
  timeoutMs?: number;
}

/**
 * How a route is authenticated: `none` sends no credentials, `optional`
 * sends them when signed in, `required` fails locally when signed out.
 */
export type RouteAuth = 'none' | 'optional' | 'required';

/** What the API method groups need from the client: one authenticated call. */
export interface Caller {
  call<T>(spec: RequestSpec, auth: RouteAuth, options?: CallOptions): Promise<T>;
}

/** Encodes an id for a path segment, so an id can never change the route. */
export function segment(id: string): string {
  return encodeURIComponent(id);
}
