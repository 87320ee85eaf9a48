/**
 * An upper bound of the UTF-8 size of `JSON.stringify(value)`, without building it: a string of n
 * UTF-16 units is at most 6n + 2 bytes (an escape is 6 ASCII bytes, any other unit at most 3);
 * numbers at most 24 characters. Stops early once past `stopAbove`.
 */
export function jsonBytesUpperBound(value: unknown, stopAbove = Infinity): number {
  if (typeof value === 'string') return 6 * value.length + 2;
  if (typeof value === 'number') return 24;
  if (value === null || typeof value === 'boolean') return 5;
  if (typeof value !== 'object') return 0;
  let total = 2;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && total <= stopAbove; i++) total += jsonBytesUpperBound(value[i], stopAbove) + 1;
    return total;
  }
  for (const key in value) {
    if (total > stopAbove) break;
    total += 6 * key.length + 4 + jsonBytesUpperBound((value as Record<string, unknown>)[key], stopAbove);
  }
  return total;
}
