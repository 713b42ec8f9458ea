import type { ExecutionContext } from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { startListeningServer } from '../helpers/server-process.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const ADMIN = { username: 'root', password: 'console-admin-password-77' };
export const PASSWORD = 'correct horse battery staple';

/** Builds the console if its sources changed (a no-op when `npm test` has just built it). */
export function buildConsole(): void {
  execFileSync(process.execPath, ['--import', 'tsx', 'console/build.ts'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
}

export interface ConsoleServer {
  /** What the browser opens: `localhost`, where browsers accept the `Secure` session cookies over HTTP. */
  origin: string;
  api: Api;
  output: () => string;
}

/** A real Tessera process on its own SQLite file, with the console and an admin; stopped when the test ends. */
export async function startConsoleServer(t: ExecutionContext, env: Record<string, string> = {}): Promise<ConsoleServer> {
  buildConsole();
  const directory = mkdtempSync(join(tmpdir(), 'tessera-console-'));
  const { server, port } = await startListeningServer({
    DATABASE_URL: join(directory, 'tessera.sqlite'),
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    ...env,
  });
  t.teardown(async () => {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
    rmSync(directory, { recursive: true, force: true });
  });
  return { origin: `http://localhost:${port}`, api: createApi(`http://127.0.0.1:${port}/api/v1`), output: server.output };
}

export { openBrowser } from '../helpers/chromium.ts';

/**
 * A page that records what must never happen: script errors and CSP
 * violations (Chromium reports both on the console). Check `problems` at the end.
 */
export async function openPage(
  browser: Browser,
  options: { width?: number; height?: number } = {},
): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1200, height: options.height ?? 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  return { page, problems };
}

/** Signs in through the form, as a person would, and waits for My devices. */
export async function signIn(page: Page, origin: string, username: string, password: string): Promise<void> {
  await page.goto(`${origin}/console/`);
  await page.getByLabel('Username or email').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My devices', level: 1 }).waitFor();
}

export interface ApiAnswer {
  status: number;
  body: any;
}

export type Api = ReturnType<typeof createApi>;

/** The API as another client sees it (bearer tokens, its own User-Agent). */
function createApi(base: string) {
  async function call(method: string, path: string, options: { token?: string; body?: unknown; userAgent?: string } = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = { 'User-Agent': options.userAgent ?? 'curl/8.5.0' };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(base + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }
  return {
    call,
    async register(username: string): Promise<string> {
      const answer = await call('POST', '/users', { body: { username, password: PASSWORD } });
      if (answer.status !== 201) throw new Error(`register ${username}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.id as string;
    },
    async login(username: string, password = PASSWORD, extra: Record<string, unknown> = {}, userAgent?: string) {
      const answer = await call('POST', '/login', { body: { username, password, ...extra }, ...(userAgent ? { userAgent } : {}) });
      if (answer.status !== 200) throw new Error(`login ${username}: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body as { access_token: string; refresh_token: string; session_id: string };
    },
  };
}
