import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `npm pack` (which builds through `prepack`), then a project of its own
 * with the tarball unpacked as node_modules/tessera. No registry is asked:
 * the package's dependencies are this repository's node_modules, linked in
 * one by one, the way an install would have laid them out.
 */
function packAndInstall() {
  const directory = mkdtempSync(join(tmpdir(), 'tessera-pack-'));
  execFileSync('npm', ['pack', '--pack-destination', directory, '--silent'], { cwd: ROOT, stdio: 'pipe' });
  const tarball = readdirSync(directory).find((file) => file.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack wrote no tarball');
  const files = execFileSync('tar', ['-tzf', join(directory, tarball)], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((file) => file.replace(/^package\//, ''));

  const project = join(directory, 'project');
  const modules = join(project, 'node_modules');
  mkdirSync(join(modules, 'tessera'), { recursive: true });
  execFileSync('tar', ['-xzf', join(directory, tarball), '-C', join(modules, 'tessera'), '--strip-components=1']);
  for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
    if (entry === 'tessera' || entry.startsWith('.')) continue;
    symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry));
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  return { directory, project, files, tarball };
}

// Packed once for the file: two packs at once would build into the same dist/package/.
let packed: ReturnType<typeof packAndInstall>;
test.before(() => {
  packed = packAndInstall();
});
test.after.always(() => {
  if (packed) rmSync(packed.directory, { recursive: true, force: true });
});

/** Plain Node: no tsx loader, nothing inherited from the test runner's flags. */
function runNode(cwd: string, source: string): string {
  return execFileSync(process.execPath, ['--input-type=module', '-e', source], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

test('npm pack ships the built entry points, declarations and migrations, and nothing else', async (t) => {
  const { project, files, tarball } = packed;
  t.is(tarball, 'tessera-0.2.0.tgz');

  for (const needed of [
    'package.json',
    'README.md',
    'CHANGELOG.md',
    'dist/package/src/index.js',
    'dist/package/src/index.d.ts',
    'dist/package/src/client/index.js',
    'dist/package/src/client/index.d.ts',
    'dist/package/migrations/20261123000100_create_users.js',
    'dist/console/index.html',
  ]) {
    t.true(files.includes(needed), `${needed} is packed`);
  }
  const strays = files.filter(
    (file) =>
      !['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE'].includes(file) &&
      !/^dist\/package\/src\/.+\.(js|d\.ts)$/.test(file) &&
      !/^dist\/package\/migrations\/[^/]+\.js$/.test(file) &&
      // The built web console, which the packaged server serves at /console/.
      !/^dist\/console\/(index\.html|favicon\.svg|assets\/app-[A-Z0-9]+\.(js|css)(\.gz)?)$/.test(file),
  );
  t.deepEqual(strays, [], 'no TypeScript sources, tests, bench, maps or the server build');

  // The server and the SDK, imported from the installed package in plain Node; the migrations
  // run from their compiled copies, as `npm start` of a dependant would run them.
  const output = runNode(
    project,
    `
    import { createTessera, createDb, migrateToLatest, parseConfig } from 'tessera';
    import { TesseraClient, TesseraError, localStorageTokenStore } from 'tessera/client';
    const db = createDb(':memory:');
    await migrateToLatest(db);
    const tessera = createTessera({ db, config: parseConfig({ DATABASE_URL: ':memory:' }) });
    const users = await db('users').count({ n: '*' }).first();
    await tessera.close();
    await db.destroy();
    console.log(JSON.stringify({
      createTessera: typeof createTessera,
      routes: typeof tessera.routes,
      users: Number(users.n),
      TesseraClient: typeof TesseraClient,
      client: typeof new TesseraClient({ baseUrl: 'http://127.0.0.1:1' }).me,
      TesseraError: typeof TesseraError,
      localStorageTokenStore: typeof localStorageTokenStore,
    }));
    `,
  );
  t.deepEqual(JSON.parse(output.trim().split('\n').at(-1)!), {
    createTessera: 'function',
    routes: 'function',
    users: 0,
    TesseraClient: 'function',
    client: 'function',
    TesseraError: 'function',
    localStorageTokenStore: 'function',
  });
});

test('the packed declarations type-check a consumer of both entry points', async (t) => {
  const { project } = packed;
  writeFileSync(
    join(project, 'consumer.ts'),
    `
    import { createTessera, type Tessera } from 'tessera';
    import { TesseraClient, TesseraError, type Me } from 'tessera/client';
    const client = new TesseraClient({ baseUrl: 'https://auth.example.com', refreshBeforeExpirySeconds: 30 });
    export async function who(): Promise<string> {
      const me: Me = await client.me();
      return me.username;
    }
    export const isTyped = (error: unknown) => error instanceof TesseraError && error.code === 'token_expired';
    export type Embedded = Tessera;
    export const factory: typeof createTessera = createTessera;
    `,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true },
      files: ['consumer.ts'],
    }),
  );
  // tsc exits non-zero (and execFileSync throws with its diagnostics) on any type error.
  t.notThrows(() =>
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], { stdio: 'pipe' }),
  );
});
