import test from 'ava';
import { readFileSync } from 'node:fs';
import { DOCS_OPENAPI_FILE, openApiDocsText } from '../../src/openapi/write-docs.ts';

test('docs/openapi.json is what the generator writes (run npm run docs:openapi after changing the API)', (t) => {
  const committed = readFileSync(DOCS_OPENAPI_FILE, 'utf8');
  t.true(committed === openApiDocsText(), 'docs/openapi.json is out of date: run npm run docs:openapi');
});
