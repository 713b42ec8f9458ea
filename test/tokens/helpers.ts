import type { TestApp } from '../helpers/app.ts';
import { bearer } from '../helpers/app.ts';

export interface CreatedPat {
  id: string;
  token: string;
  name: string;
  abilities: string[];
  expires_at: string;
}

/** Creates a personal access token with a session's access token. */
export async function createPat(
  app: TestApp,
  accessToken: string,
  abilities: string[],
  extra: Record<string, unknown> = {},
): Promise<CreatedPat> {
  const response = await app.request
    .post('/api/v1/tokens')
    .set(bearer(accessToken))
    .send({ name: 'ci', abilities, ...extra })
    .expect(201);
  return response.body as CreatedPat;
}

/** Every text value of every table, for scanning a "dump" for a secret. */
export async function databaseText(app: TestApp): Promise<string> {
  const tables = ['users', 'sessions', 'refresh_tokens', 'audit_events', 'posts', 'personal_access_tokens', 'service_clients', 'revocation_epochs'];
  const dumps = await Promise.all(tables.map((table) => app.db(table).select()));
  return JSON.stringify(dumps);
}
