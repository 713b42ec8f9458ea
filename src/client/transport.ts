import { TesseraError, TesseraNetworkError, TesseraTimeoutError, type ErrorDetail } from './errors.ts';

/** The API's path prefix (API.md: "Paths are under /api/v1"). */
export const API_PATH = '/api/v1';

/** One HTTP request, before authentication is added. */
export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path under `/api/v1`, starting with `/`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface SendOptions {
  /** A bearer token for `Authorization`; none in cookie mode. */
  bearer?: string;
  /** The caller's signal: aborting rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Overrides the transport's timeout for this request. */
  timeoutMs?: number;
}

export interface TransportOptions {
  /** Where the API lives, without `/api/v1`: `https://auth.example.com`, or `''` for the page's own origin. */
  baseUrl: string;
  timeoutMs: number;
  /** `include` in cookie mode, so the browser sends and stores the session cookies. */
  credentials: RequestCredentials;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

export type Transport = ReturnType<typeof createTransport>;

/**
 * Sends requests and turns every answer that is not a 2xx into a
 * `TesseraError`. It knows nothing about sessions: refresh and retry live in
 * the refresh coordinator, one level up.
 */
export function createTransport(options: TransportOptions) {
  const base = options.baseUrl.replace(/\/+$/, '') + API_PATH;
  // Looked up per request, not captured, so a test or polyfill installed later still applies.
  const fetchImpl = (...args: Parameters<typeof fetch>) => (options.fetch ?? globalThis.fetch)(...args);

  return {
    async send<T>(spec: RequestSpec, send: SendOptions = {}): Promise<T> {
      const timeoutMs = send.timeoutMs ?? options.timeoutMs;
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
      const onAbort = () => controller.abort(send.signal?.reason);
      if (send.signal?.aborted) onAbort();
      send.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const response = await fetchImpl(urlOf(base, spec), {
          method: spec.method,
          headers: headersOf(spec, send, options.headers),
          body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
          credentials: options.credentials,
          // Never from or into the HTTP cache: answers carry personal data, and Chromium's cache
          // lock would otherwise queue identical concurrent GETs behind each other.
          cache: 'no-store',
          signal: controller.signal,
        });
        // The body is read under the same timer: a server that stalls mid-body is a timeout too.
        const text = await response.text();
        return interpret<T>(response, text);
      } catch (error) {
        if (error instanceof TesseraError) throw error;
        if (timedOut) throw new TesseraTimeoutError(timeoutMs);
        if (send.signal?.aborted) throw send.signal.reason;
        throw new TesseraNetworkError(error);
      } finally {
        clearTimeout(timer);
        send.signal?.removeEventListener('abort', onAbort);
      }
    },
  };
}

function urlOf(base: string, spec: RequestSpec): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(spec.query ?? {})) {
    if (value !== undefined) params.set(key, String(value));
  }
  const query = params.toString();
  return base + spec.path + (query ? `?${query}` : '');
}

function headersOf(spec: RequestSpec, send: SendOptions, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { Accept: 'application/json', ...extra, ...spec.headers };
  if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
  if (send.bearer !== undefined) headers.Authorization = `Bearer ${send.bearer}`;
  return headers;
}

/** A 2xx body as `T` (undefined for 204), anything else as the contract's error. */
function interpret<T>(response: Response, text: string): T {
  const requestId = response.headers.get('x-request-id');
  let body: unknown = undefined;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch (cause) {
      throw new TesseraError({
        status: response.status,
        code: response.ok ? 'invalid_response' : 'http_error',
        message: `The server answered ${response.status} with a body that is not JSON.`,
        requestId,
        cause,
      });
    }
  }
  if (response.ok) return body as T;
  const error = (body ?? {}) as { error?: unknown; message?: unknown; details?: unknown };
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new TesseraError({
    status: response.status,
    code: typeof error.error === 'string' ? error.error : 'http_error',
    message: typeof error.message === 'string' ? error.message : `HTTP ${response.status}`,
    details: Array.isArray(error.details) ? (error.details as ErrorDetail[]) : [],
    requestId,
    retryAfter: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  });
}
