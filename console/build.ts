/**
 * `npm run build:console`: bundles the console (Preact + the client SDK) with
 * esbuild into `dist/console/`: `index.html`, `favicon.svg` and content-hashed
 * `assets/app-<hash>.js|css`, each asset with a gzipped twin that the server
 * sends to browsers that accept it. Skips the work when the build is newer
 * than every source file (`npm start` runs this each time); `--force` rebuilds.
 */
import { build } from 'esbuild';
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'console');
const out = join(root, 'dist/console');
// The bundle includes the SDK, so a change there rebuilds too.
const inputs = [source, join(root, 'src/client'), join(root, 'package.json')];

function newestChange(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

function upToDate(): boolean {
  const index = join(out, 'index.html');
  if (!existsSync(index)) return false;
  return statSync(index).mtimeMs >= Math.max(...inputs.map(newestChange));
}

if (!process.argv.includes('--force') && upToDate()) {
  console.log('console: up to date (dist/console/)');
  process.exit(0);
}

rmSync(out, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { app: 'console/src/main.tsx' },
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: join(out, 'assets'),
  entryNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

const built = Object.keys(result.metafile.outputs).map((path) => '/' + relative(join(root, 'dist'), join(root, path)));
const script = built.find((path) => path.endsWith('.js'));
const style = built.find((path) => path.endsWith('.css'));
if (!script || !style) throw new Error(`console build: expected a .js and a .css, got ${built.join(', ')}`);

writeFileSync(
  join(out, 'index.html'),
  readFileSync(join(source, 'index.html'), 'utf8').replace('{{js}}', script).replace('{{css}}', style),
);
copyFileSync(join(source, 'favicon.svg'), join(out, 'favicon.svg'));

const sizes = [script, style].map((path) => {
  const file = join(root, 'dist', path);
  const bytes = readFileSync(file);
  const gzipped = gzipSync(bytes, { level: 9 });
  writeFileSync(`${file}.gz`, gzipped);
  return `${path.split('/').pop()} ${(bytes.length / 1024).toFixed(1)} KB (${(gzipped.length / 1024).toFixed(1)} KB gzipped)`;
});
console.log(`console: built dist/console/: ${sizes.join(', ')}`);
