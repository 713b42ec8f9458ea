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

/** A boolean field: only JSON true/false, never "true". */
export function booleanField(): z.ZodBoolean {
  return z.boolean({
    error: (issue) => (issue.input === undefined ? 'is required' : 'must be true or false'),
  });
}
