import { runCommand } from '../../src/cli/commands.ts';
import { parseConfig } from '../../src/config/config.ts';
import type { TestApp } from './app.ts';

/**
 * Runs a CLI command in-process against the test app's database and clock;
 * `password` is what the command reads when it asks for one.
 */
export async function cli(app: TestApp, argv: string[], password = 'an admin password') {
  const lines: string[] = [];
  const code = await runCommand(argv, {
    tessera: app.tessera.tessera,
    db: app.db,
    config: parseConfig({ DATABASE_URL: ':memory:' }),
    clock: app.clock,
    print: (line) => lines.push(line),
    readPassword: async () => password,
  });
  return { code, output: lines.join('\n') };
}
