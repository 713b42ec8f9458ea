import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

let built = false;

/**
 * The path of a bench server compiled to `dist/`, building once per run.
 * Servers run compiled, as `npm start` runs Tessera: under tsx, the loader's
 * own thread would add about 30 MB of RSS, and profiles would map to
 * transpiled lines.
 */
export function compiledServer(script: string): string {
  if (!built) {
    execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
    built = true;
  }
  return join(import.meta.dirname, '..', 'dist', 'bench', 'servers', script.replace(/\.ts$/, '.js'));
}
