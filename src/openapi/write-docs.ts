import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from './document.ts';
import { OPERATIONS } from './registry.ts';

/**
 * `npm run docs:openapi`: writes docs/openapi.json, the same document the
 * server serves at GET /api/v1/openapi.json, indented so changes read well
 * in a diff. test/openapi/docs-file.test.ts fails when it is out of date.
 */
export function openApiDocsText(): string {
  return `${JSON.stringify(buildOpenApiDocument(OPERATIONS), null, 2)}\n`;
}

export const DOCS_OPENAPI_FILE = 'docs/openapi.json';

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  writeFileSync(DOCS_OPENAPI_FILE, openApiDocsText());
  console.log(`wrote ${DOCS_OPENAPI_FILE}`);
}
