import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One built file of the console, held in memory with what its response needs. */
export interface ConsoleFile {
  readonly body: Buffer;
  /** The same bytes gzipped at build time, when the build wrote a `.gz` beside the file. */
  readonly gzipped: Buffer | undefined;
  readonly contentType: string;
  readonly etag: string;
  /** Under `assets/`: the name carries a content hash, so it never changes and may be cached for good. */
  readonly immutable: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Where `npm run build:console` writes (`dist/console/`), found from this
 * module's own place: `src/console/` when run from source (tsx),
 * `dist/src/console/` when compiled (npm start), `dist/package/src/console/`
 * in the installed package.
 */
export function defaultConsoleDirectory(): string {
  const candidates = ['../../dist/console/', '../../console/', '../../../console/'].map((path) =>
    fileURLToPath(new URL(path, import.meta.url)),
  );
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

/**
 * Reads every file of the build into memory, keyed by its path relative to
 * the build directory (`index.html`, `assets/app-3F2K.js`). The console is a
 * few files of tens of kilobytes; serving from a map means no request path
 * ever reaches the file system, so there is nothing to traverse.
 * Returns undefined when the console has not been built.
 */
export function readConsoleBuild(dir: string): Map<string, ConsoleFile> | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  const files = new Map<string, ConsoleFile>();
  for (const path of listFiles(dir)) {
    const type = CONTENT_TYPES[extname(path)];
    if (!type) continue; // .gz twins are attached below; anything unknown is not served
    const name = relative(dir, path).split(sep).join('/');
    const body = readFileSync(path);
    files.set(name, {
      body,
      gzipped: existsSync(`${path}.gz`) ? readFileSync(`${path}.gz`) : undefined,
      contentType: type,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      immutable: name.startsWith('assets/'),
    });
  }
  return files;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}
