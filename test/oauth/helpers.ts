import type { TestApp } from '../helpers/app.ts';
import { bearer, signUpAdmin } from '../helpers/app.ts';

export interface Client {
  id: string;
  client_id: string;
  client_secret: string;
}

export async function createClient(app: TestApp, adminAccessToken?: string): Promise<Client> {
  const token = adminAccessToken ?? (await signUpAdmin(app, 'root')).tokens.access_token;
  const response = await app.request.post('/api/v1/admin/clients').set(bearer(token)).send({ name: 'reports' }).expect(201);
  return response.body as Client;
}

export function basic(client: { client_id: string; client_secret: string }) {
  return { Authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}` };
}
