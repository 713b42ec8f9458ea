import type { z } from 'zod';
import type { ErrorCode } from '../errors/codes.ts';

/**
 * Who may call an operation, which decides its security requirement and the
 * authentication errors it can answer:
 * - `public`: nobody needs to be signed in;
 * - `optional`: anonymous, or a good bearer token / access cookie;
 * - `access`: a session access token, or a PAT holding `ability`;
 * - `session`: a session access token only (a PAT gets `insufficient_scope`);
 * - `admin`: an admin's session token, or a PAT holding `admin`;
 * - `client`: HTTP Basic service-client credentials (RFC 6749 §2.3.1);
 * - `client-optional`: Basic credentials optional, but good when sent (RFC 7009).
 */
export type Access = 'public' | 'optional' | 'access' | 'session' | 'admin' | 'client' | 'client-optional';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * One documented operation, declared next to its handler in the feature's
 * routes.ts and collected by src/openapi/registry.ts. The schemas are the
 * same zod objects the handler validates with and the response shapes of
 * src/openapi/responses.ts, so the document cannot describe something else.
 */
export interface OperationSpec {
  readonly method: HttpMethod;
  /** The full path as the router mounts it, with `:param` placeholders (`/api/v1/posts/:id`). */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly access: Access;
  /** The PAT ability the route needs (API.md, "Personal access tokens and abilities"). */
  readonly ability?: string;
  /** The handler's body schema; `form`: `application/x-www-form-urlencoded` is accepted too. */
  readonly body?: { readonly schema: z.ZodType; readonly required: boolean; readonly form?: boolean; readonly example?: unknown };
  /** The handler's query schema (a zod object: each property is one query parameter). */
  readonly query?: z.ZodObject;
  readonly success: {
    readonly status: 200 | 201 | 204;
    readonly description: string;
    /** A shape of src/openapi/responses.ts; absent for 204. */
    readonly schema?: z.ZodType;
    /** API.md requires `Cache-Control: no-store` (tokens, personal data). */
    readonly noStore?: boolean;
    /** Sets the session cookies (browser sessions). */
    readonly setsCookies?: boolean;
  };
  /** Errors specific to this route, beyond those its access, body, query and path imply. */
  readonly errors?: readonly ErrorCode[];
  /** Leaves out the 503 every database-backed route can answer. */
  readonly noDatabase?: boolean;
  /** The body of this route's 503 when it is not the error shape (GET /readyz adds fields). */
  readonly unavailableBody?: z.ZodType;
}
