/**
 * Classes of a multiclass model, shared by the trainer (which learns them) and serving (which
 * answers them): their one order and the predicted class of a row of probabilities.
 */

const INTEGER = /^-?(0|[1-9][0-9]*)$/;

/**
 * The class name of a raw label value: strings as they are, integers in decimal; undefined for
 * anything that is not a class (null, a fraction, a boolean, an empty string).
 */
export function classNameOf(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw.length > 0 ? raw : undefined;
  if (typeof raw === 'number' || typeof raw === 'bigint') return Number.isSafeInteger(Number(raw)) ? String(raw) : undefined;
  return undefined;
}

/**
 * The distinct classes in their one deterministic order: numerically when every class is an
 * integer (so 2 comes before 10), otherwise by UTF-16 code unit (locale-independent).
 */
export function orderClasses(names: Iterable<string>): string[] {
  const distinct = [...new Set(names)];
  if (distinct.every((c) => INTEGER.test(c))) return distinct.sort((a, b) => Number(a) - Number(b));
  return distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The index of the largest of `width` values at `row` (the first one on a tie). */
export function argmaxOf(values: ArrayLike<number>, row: number, width: number): number {
  const at = row * width;
  let best = 0;
  for (let k = 1; k < width; k++) if (values[at + k] > values[at + best]) best = k;
  return best;
}
