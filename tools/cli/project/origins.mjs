// Where each object of an apply request came from, so that a problem found later (a cross-file
// check, a service's refusal with a path like `$.models[3].sql`) names the file, line and field.
import { formatPath } from './paths.mjs';

/**
 * @typedef {{ file: string, reader: { lineOf(path: (string|number)[]): number }, base: (string|number)[],
 *   fields?: Record<string, { file: string, line: number } | { path: (string|number)[] }> }} Origin
 *   base: the object's path inside its file; fields: fields that live elsewhere (a model's `sql` is
 *   its .sql file, an outcome's `model` is the spec's `name`).
 */

/** The file, line and path of `rest` (a path inside the request object) given the object's origin. */
export function locate(origin, rest = []) {
  const head = rest[0];
  const moved = typeof head === 'string' ? origin.fields?.[head] : undefined;
  if (moved && 'line' in moved) return { file: moved.file, line: moved.line, path: formatPath(rest) };
  const inFile = moved ? [...moved.path, ...rest.slice(1)] : [...origin.base, ...rest];
  return { file: origin.file, line: origin.reader.lineOf(inFile), path: formatPath(inFile) };
}

/** A problem at a place: `{ file, line, path, message, severity }`. */
export const problemAt = (origin, rest, message, severity = 'error') => ({ ...locate(origin, rest), message, severity });

/** `models/mart_orders.yaml:12 tests[1].column: must be ...` */
export function formatProblem(p) {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}` : ''}` : '';
  const head = [where, p.path].filter(Boolean).join(' ');
  return `${head ? `${head}: ` : ''}${p.message}`;
}
