import { parseArgs } from 'node:util';
import { CLI_ORIGIN } from '../audit/events.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/connection.ts';
import { AppError } from '../errors/app-error.ts';
import { parseSessionId } from '../http/ids.ts';
import { pruneExpired } from '../maintenance/prune.ts';
import type { Tessera } from '../tessera.ts';

export const HELP = `Usage: npm run cli -- <command> [arguments]

Commands:
  create-admin <username> [--email EMAIL]
                          create an admin (password read from standard input),
                          or make an existing user an admin
  users [--q TEXT] [--offset N] [--limit N]
                          list users, optionally matching TEXT in username or email
  sessions <user>         list the live sessions of a user (id or username)
  revoke-session <id>     revoke one session
  revoke-user <user>      revoke every session of a user
  disable <user>          disable a user and revoke all their sessions
  enable <user>           enable a disabled user
  clients create <name>   register a service client for /oauth/introspect;
                          prints its secret, once
  clients list            list service clients
  clients delete <id>     delete a service client (its credentials stop at once)
  tokens <user>           list the live personal access tokens of a user
  revoke-token <id>       revoke one personal access token
  prune                   delete sessions dead for longer than SESSION_RETENTION
                          and audit events older than AUDIT_RETENTION
  help                    this text

Configuration comes from the environment and .env, as for the server.`;

export interface CliContext {
  readonly tessera: Tessera;
  readonly db: Db;
  readonly config: Config;
  readonly clock: Clock;
  readonly print: (line: string) => void;
  /** Reads the password for create-admin (standard input for the real CLI). */
  readonly readPassword: () => Promise<string>;
}

type Command = (args: string[], context: CliContext) => Promise<void>;

function one(args: string[], what: string): string {
  if (args.length !== 1 || !args[0]) throw new UsageError(`expected exactly one ${what}`);
  // Text the API would refuse (validate.ts) must not reach the database from here either.
  if (/[\u0000-\u001f\u007f]/.test(args[0])) throw new UsageError(`the ${what} contains a control character`);
  return args[0];
}

export class UsageError extends Error {
  override name = 'UsageError';
}

const commands: Record<string, Command> = {
  async 'create-admin'(args, { tessera, print, readPassword }) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { email: { type: 'string' } },
    });
    const username = one(positionals, 'username');
    const { users, admin } = tessera.services;
    const existing = await admin.findUser(username).catch(() => undefined);
    if (existing) {
      await admin.updateUser(existing.id, { is_admin: true }, CLI_ORIGIN);
      print(`${existing.username} (id ${existing.id}) is an admin`);
      return;
    }
    const password = await readPassword();
    const created = await users.register(
      { username, password, email: values.email ?? null },
      CLI_ORIGIN,
      { isAdmin: true },
    );
    print(`created admin ${created.username} (id ${created.id})`);
  },

  async users(args, { tessera, print }) {
    const { values } = parseArgs({
      args,
      options: {
        q: { type: 'string' },
        offset: { type: 'string', default: '0' },
        limit: { type: 'string', default: '50' },
      },
    });
    const page = { offset: Number(values.offset), limit: Number(values.limit) };
    if (!Number.isInteger(page.offset) || !Number.isInteger(page.limit) || page.limit < 1) {
      throw new UsageError('--offset and --limit take whole numbers');
    }
    const { rows, total } = await tessera.services.admin.listUsers({ q: values.q }, page);
    print('id\tusername\temail\tadmin\tdisabled');
    for (const user of rows) {
      const flags = [user.is_admin ? 'yes' : 'no', user.disabled ? 'yes' : 'no'];
      print([user.id, user.username, user.email ?? '-', ...flags].join('\t'));
    }
    print(`${rows.length} of ${total} users`);
  },

  async sessions(args, { tessera, print }) {
    const { admin } = tessera.services;
    const user = await admin.findUser(one(args, 'user'));
    const sessions = await admin.listUserSessions(user.id);
    print('id\tdevice\tip\tcreated\tlast used\texpires');
    for (const session of sessions) {
      print(
        [
          session.id,
          session.device_name,
          session.ip ?? '-',
          session.created_at,
          session.last_used_at,
          session.expires_at,
        ].join('\t'),
      );
    }
    print(`${sessions.length} live sessions for ${user.username}`);
  },

  async 'revoke-session'(args, { tessera, print }) {
    const sessionId = one(args, 'session id');
    // Not a session id at all is simply unknown, as on the API (no query).
    if (parseSessionId(sessionId) === undefined) throw new AppError('not_found', `No such session: ${sessionId}`);
    await tessera.services.admin.revokeSession(sessionId, CLI_ORIGIN);
    print(`revoked session ${sessionId}`);
  },

  async 'revoke-user'(args, { tessera, print }) {
    const { admin } = tessera.services;
    const user = await admin.findUser(one(args, 'user'));
    const revoked = await admin.revokeUserSessions(user.id, CLI_ORIGIN);
    print(`revoked ${revoked} sessions of ${user.username}`);
  },

  async disable(args, { tessera, print }) {
    const { admin } = tessera.services;
    const user = await admin.findUser(one(args, 'user'));
    await admin.updateUser(user.id, { disabled: true }, CLI_ORIGIN);
    print(`disabled ${user.username}; every session revoked`);
  },

  async enable(args, { tessera, print }) {
    const { admin } = tessera.services;
    const user = await admin.findUser(one(args, 'user'));
    await admin.updateUser(user.id, { disabled: false }, CLI_ORIGIN);
    print(`enabled ${user.username}`);
  },

  async clients(args, { tessera, print }) {
    const [action, ...rest] = args;
    const { oauth } = tessera.services;
    if (action === 'create') {
      const { row, secret } = await oauth.createClient(one(rest, 'name'), CLI_ORIGIN);
      print(`created client ${row.name} (id ${row.id})`);
      print(`client_id:     ${row.client_id}`);
      print(`client_secret: ${secret}`);
      print('The secret is shown only now; store it with the service that will use it.');
    } else if (action === 'list') {
      if (rest.length > 0) throw new UsageError('clients list takes no arguments');
      const rows = await oauth.listClients();
      print('id\tname\tclient_id\tcreated\tlast used');
      for (const row of rows) {
        print([row.id, row.name, row.client_id, row.created_at, row.last_used_at ?? '-'].join('\t'));
      }
      print(`${rows.length} clients`);
    } else if (action === 'delete') {
      const id = one(rest, 'client id');
      await oauth.deleteClient(id, CLI_ORIGIN);
      print(`deleted client ${id}`);
    } else {
      throw new UsageError('expected clients create <name>, clients list or clients delete <id>');
    }
  },

  async tokens(args, { tessera, print }) {
    const { admin, tokens } = tessera.services;
    const user = await admin.findUser(one(args, 'user'));
    const rows = await tokens.listUserTokens(user.id);
    print('id\tname\tabilities\tcreated\tlast used\texpires');
    for (const row of rows) {
      const abilities = (JSON.parse(row.abilities) as string[]).join(' ');
      print([row.id, row.name, abilities, row.created_at, row.last_used_at ?? '-', row.expires_at].join('\t'));
    }
    print(`${rows.length} live tokens for ${user.username}`);
  },

  async 'revoke-token'(args, { tessera, print }) {
    const tokenId = one(args, 'token id');
    await tessera.services.tokens.revokeTokenAsAdmin(tokenId, CLI_ORIGIN);
    print(`revoked token ${tokenId}`);
  },

  async prune(args, { db, clock, config, print }) {
    if (args.length > 0) throw new UsageError('prune takes no arguments');
    const counts = await pruneExpired(db, clock, config);
    print(`deleted ${counts.sessions} sessions and ${counts.auditEvents} audit events`);
  },

  async help(_args, { print }) {
    print(HELP);
  },
};

/**
 * Runs one CLI command; returns the process exit code (0 ok, 1 failed,
 * 2 usage). Errors are printed as one line, never as a stack.
 */
export async function runCommand(argv: string[], context: CliContext): Promise<number> {
  const [name = 'help', ...args] = argv;
  const command = name === '--help' || name === '-h' ? commands.help : commands[name];
  if (!command) {
    context.print(`unknown command: ${name}\n\n${HELP}`);
    return 2;
  }
  if (args.includes('--help')) {
    context.print(HELP);
    return 0;
  }
  try {
    await command(args, context);
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      context.print(`${name}: ${(error as Error).message}`);
      return 2;
    }
    if (error instanceof AppError) {
      const details = error.details?.map((detail) => `${detail.field} ${detail.message}`).join('; ');
      context.print(`${name}: ${details ?? error.message}`);
      return 1;
    }
    throw error;
  }
}
