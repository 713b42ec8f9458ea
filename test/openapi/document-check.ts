import type { ExecutionContext } from 'ava';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Response } from 'supertest';
import { openApiPath } from '../../src/openapi/document.ts';
import type { TestApp } from '../helpers/app.ts';

// ajv-formats is CommonJS: under ES modules its function may sit on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

type Json = Record<string, any>;
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** RFC 6901: a JSON pointer's reference tokens. */
function pointerTokens(pointer: string): string[] {
  return pointer
    .replace(/^#\/?/, '')
    .split('/')
    .filter((token) => token !== '')
    .map((token) => decodeURIComponent(token).replace(/~1/g, '/').replace(/~0/g, '~'));
}

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The value at a local `$ref` (`#/components/…`), or undefined. */
export function resolvePointer(document: Json, ref: string): unknown {
  let value: unknown = document;
  for (const token of pointerTokens(ref)) {
    if (value === null || typeof value !== 'object' || !(token in (value as Json))) return undefined;
    value = (value as Json)[token];
  }
  return value;
}

/** Every `$ref` string anywhere in `value`. */
export function allRefs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((item) => allRefs(item, found));
  else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.push(inner);
      else allRefs(inner, found);
    }
  }
  return found;
}

/**
 * Checks real responses against the OpenAPI document with ajv (JSON Schema
 * 2020-12, OpenAPI 3.1's dialect) and records which statuses each operation
 * was seen answering, so a test can demand a success and an error of each.
 */
export function createDocumentCheck(document: Json) {
  // strict: false: the document is OpenAPI, not a bare JSON Schema (`openapi`, `paths`, `example`…).
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, 'openapi');
  const seen = new Map<string, Set<number>>();

  const operationAt = (method: Method, routerPath: string): Json | undefined =>
    document.paths?.[openApiPath(routerPath)]?.[method];
  const deref = (value: Json): Json => (typeof value.$ref === 'string' ? (resolvePointer(document, value.$ref) as Json) : value);
  const schemaPointer = (...tokens: string[]) => `openapi#/${tokens.map(escapeToken).join('/')}`;

  const headerValidators = new Map<object, (value: unknown) => boolean>();
  function headerValidator(schema: object): (value: unknown) => boolean {
    let validator = headerValidators.get(schema);
    if (!validator) {
      const compiled = ajv.compile(schema);
      validator = (value) => compiled(value) as boolean;
      headerValidators.set(schema, validator);
    }
    return validator;
  }

  function validate(pointer: string, data: unknown): string | undefined {
    const validator = ajv.getSchema(pointer) ?? ajv.compile({ $ref: pointer });
    return validator(data) ? undefined : ajv.errorsText(validator.errors, { dataVar: 'body' });
  }

  /** Asserts that `response` is one `method routerPath` is documented to give. */
  function response(t: ExecutionContext, method: Method, routerPath: string, res: Response): void {
    const where = `${method.toUpperCase()} ${routerPath} → ${res.status}`;
    const operation = operationAt(method, routerPath);
    if (!operation) {
      t.fail(`${method.toUpperCase()} ${routerPath} is not in the document`);
      return;
    }
    const documented = operation.responses?.[String(res.status)] as Json | undefined;
    if (!documented) {
      t.fail(`${where} is not documented (body ${res.text.slice(0, 300)})`);
      return;
    }
    const key = `${method} ${routerPath}`;
    seen.set(key, (seen.get(key) ?? new Set()).add(res.status));

    for (const [name, header] of Object.entries((documented.headers ?? {}) as Json)) {
      const spec = deref(header);
      const value = res.headers[name.toLowerCase()] as string | string[] | undefined;
      if (value === undefined) {
        t.false(spec.required === true, `${where}: required header ${name} is missing`);
        continue;
      }
      if (!spec.schema) continue;
      // Set-Cookie comes as one value per cookie; its values are secrets, never printed.
      for (const one of Array.isArray(value) ? value : [value]) {
        t.true(headerValidator(spec.schema)(one), `${where}: header ${name}${name === 'Set-Cookie' ? '' : `: ${one}`}`);
      }
    }

    const content = documented.content as Json | undefined;
    if (!content) {
      t.is(res.text ?? '', '', `${where}: documented without a body`);
      return;
    }
    t.regex(res.headers['content-type'] ?? '', /^application\/json\b/, `${where}: Content-Type`);
    const pointer = schemaPointer('paths', openApiPath(routerPath), method, 'responses', String(res.status), 'content', 'application/json', 'schema');
    t.is(validate(pointer, res.body), undefined, `${where}: body ${res.text.slice(0, 400)}`);
  }

  /** Asserts that a JSON body the server accepted is one the document says it accepts. */
  function requestBody(t: ExecutionContext, method: Method, routerPath: string, body: unknown): void {
    const pointer = schemaPointer('paths', openApiPath(routerPath), method, 'requestBody', 'content', 'application/json', 'schema');
    t.is(validate(pointer, body), undefined, `${method.toUpperCase()} ${routerPath}: accepted body ${JSON.stringify(body)}`);
  }

  return { response, requestBody, seen, validate };
}

export type DocumentCheck = ReturnType<typeof createDocumentCheck>;

export interface CallOptions {
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** A raw body, sent as is with `contentType`. */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * Sends one request to `method routerPath` (its `:params` filled in from
 * `options.params`), checks the answer against the document, and returns it.
 */
export async function call(
  t: ExecutionContext,
  app: TestApp,
  check: DocumentCheck,
  method: Method,
  routerPath: string,
  options: CallOptions = {},
): Promise<Response> {
  const url = routerPath.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => encodeURIComponent(options.params?.[name] ?? ''));
  let request = app.request[method](url);
  if (options.query) request = request.query(options.query);
  for (const [name, value] of Object.entries(options.headers ?? {})) request = request.set(name, value);
  if (options.raw !== undefined) request = request.set('Content-Type', options.contentType ?? 'application/json').send(options.raw);
  else if (options.body !== undefined) request = request.send(options.body as object);
  const res = await request;
  check.response(t, method, routerPath, res);
  const json = options.body !== undefined && options.raw === undefined && !options.contentType;
  if (res.status < 300 && json) check.requestBody(t, method, routerPath, options.body);
  return res;
}
