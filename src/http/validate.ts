import { z } from 'zod';
import { validationFailed, type FieldProblem } from '../errors/app-error.ts';

/**
 * Validates a request body (or query) against `schema` and returns the typed
 * result, or throws `validation_failed` listing every bad field by its plain
 * property name. Types are never coerced: zod rejects "1" for a number.
 */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
): z.output<Schema> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw validationFailed([{ field: 'body', message: 'must be a JSON object' }]);
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationFailed(toFieldProblems(result.error));
}

function toFieldProblems(error: z.ZodError): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'body');
    if (seen.has(field)) continue; // one message per field is enough to act on
    seen.add(field);
    problems.push({ field, message: issue.message });
  }
  return problems;
}

/** A required string field with messages a client developer can act on. */
export function requiredString(): z.ZodString {
  return z.string({
    error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string'),
  });
}

/**
 * C0 control characters and DEL. PostgreSQL refuses NUL in text outright (a
 * 500 where SQLite would store it), and the others have no business in a
 * name or title a person reads.
 */
const CONTROL_CHARACTER = /[\u0000-\u001F\u007F]/;
/** The same, but tabs and line breaks are text in a post's body. */
const CONTROL_CHARACTER_BUT_WHITESPACE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
/**
 * A UTF-16 surrogate that is not half of a pair (`"\ud800"` in JSON). With
 * the `u` flag a well-formed pair is one code point and does not match.
 * Encoding such a string to UTF-8 silently turns it into U+FFFD, so two
 * different inputs would be stored (or hashed) as the same text.
 */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** True when `value` is well-formed UTF-16 (String.prototype.isWellFormed, ES2024). */
export function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/**
 * Adds the checks every stored text field needs: well-formed Unicode, and
 * no control characters (`multiline` lets tabs, CR and LF through).
 */
export function plainText<Schema extends z.ZodString>(
  schema: Schema,
  options: { multiline?: boolean } = {},
): Schema {
  const controls = options.multiline ? CONTROL_CHARACTER_BUT_WHITESPACE : CONTROL_CHARACTER;
  return schema
    .refine(isWellFormedText, { message: 'must be valid Unicode text (no lone surrogates)' })
    .refine((value) => !controls.test(value), {
      message: options.multiline
        ? 'must not contain control characters other than tab and line breaks'
        : 'must not contain control characters',
    }) as Schema;
}

/** A boolean field: only JSON true/false, never "true". */
export function booleanField(): z.ZodBoolean {
  return z.boolean({
    error: (issue) => (issue.input === undefined ? 'is required' : 'must be true or false'),
  });
}
