/**
 * An upper bound of the UTF-8 size of `JSON.stringify(value)`, without building it: a string of n
 * UTF-16 units is at most 6n + 2 bytes (an escape is 6 ASCII bytes, any other unit at most 3);
 * numbers at most 24 characters. Stops early once past `stopAbove`. Walks with an explicit stack,
 * so no nesting depth can overflow the call stack.
 */
export function jsonBytesUpperBound(value: unknown, stopAbove = Infinity): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length && total <= stopAbove) {
    const v = stack.pop();
    if (typeof v === 'string') total += 6 * v.length + 2;
    else if (typeof v === 'number') total += 24;
    else if (v === null || typeof v === 'boolean') total += 5;
    else if (typeof v === 'object') {
      total += 2;
      if (Array.isArray(v)) {
        total += v.length;
        for (let i = 0; i < v.length; i++) stack.push(v[i]);
      } else {
        for (const key in v) {
          total += 6 * key.length + 4;
          stack.push((v as Record<string, unknown>)[key]);
        }
      }
    }
  }
  return total;
}
