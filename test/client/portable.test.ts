import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import test from 'ava';

const CLIENT = fileURLToPath(new URL('../../src/client/', import.meta.url));

test('the SDK imports nothing but its own files: no node: built-ins, no packages', (t) => {
  const files = readdirSync(CLIENT).filter((file) => file.endsWith('.ts'));
  t.true(files.length > 5);
  for (const file of files) {
    // Code only: the TSDoc examples rightly show `import … from 'tessera/client'`.
    const source = readFileSync(CLIENT + file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    const specifiers = [...source.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((match) => match[1]!);
    const foreign = specifiers.filter((specifier) => !specifier.startsWith('./'));
    t.deepEqual(foreign, [], `${file} imports only ./ files`);
    t.notRegex(source, /\b(process|Buffer|require)\s*[.(]/, `${file} uses no Node globals`);
  }
});
