import type { ExecutionContext } from 'ava';
import type supertest from 'supertest';
import { bearer } from './app.ts';

/** The contract's bound: a revocation is refused everywhere at the latest this long after it (API.md, Tokens). */
export const REVOCATION_BOUND_MS = 100;

/**
 * Sends GET /me with `token` until it is refused with `code`, and returns how
 * long after `since` the first refused request was sent. A request sent past
 * the bound that is still accepted fails the test; the time a response takes
 * to come back (the machine may be busy) is not held against the server.
 */
export async function refusedWithinBound(
  t: ExecutionContext,
  request: supertest.Agent | ReturnType<typeof supertest>,
  token: string,
  code: string,
  since = performance.now(),
): Promise<number> {
  for (;;) {
    const sentAt = performance.now() - since;
    const response = await request.get('/api/v1/me').set(bearer(token));
    if (response.status === 401) {
      t.is(response.body.error, code);
      return sentAt;
    }
    t.is(response.status, 200, JSON.stringify(response.body));
    if (sentAt > REVOCATION_BOUND_MS) {
      throw new Error(`a request sent ${Math.round(sentAt)} ms after the revocation was still accepted`);
    }
  }
}
