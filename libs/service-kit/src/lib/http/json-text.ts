/**
 * What every request's text is checked for where it enters a service (framework-free: the kit's
 * Fastify JSON parser, its query/path hook and its fast routes all call these).
 *
 * - U+0000 cannot be stored by PostgreSQL (text, jsonb), and a lone UTF-16 surrogate (`"\ud800"`)
 *   cannot be stored in jsonb: either would otherwise reach the database and fail there, as a 500,
 *   and take everything written with it down too.
 * - Nesting is bounded: code that walks a value (JSON.stringify, size bounds, validators,
 *   PostgreSQL's jsonb input) may recurse, and a body nested thousands deep overflows its stack.
 *
 * Nothing here recurses: the JSON text is scanned once, byte by byte, and a parsed value is walked
 * with an explicit stack only when the scan found something to locate.
 */

/** How deeply objects and arrays may nest in a request body (the outermost value is depth 1). */
export const JSON_MAX_DEPTH = 64;

export const TextProblemCode = {
  INVALID_CHARACTER: 'INVALID_CHARACTER',
  NESTING_TOO_DEEP: 'NESTING_TOO_DEEP',
} as const;
export type TextProblemCode = (typeof TextProblemCode)[keyof typeof TextProblemCode];

export interface TextProblem {
  /** JSONPath of the offending string or key (`$.a.b[2]`), or of the value nested too deeply. */
  path: string;
  code: TextProblemCode;
  message: string;
}

/** What one pass over a JSON text found. */
export interface JsonTextScan {
  /** Deepest nesting of objects and arrays seen (counting stops just past `stopAbove`). */
  depth: number;
  /** A string or key holds U+0000 or a lone surrogate (written as `\u` escapes: raw ones are invalid JSON or UTF-8). */
  badText: boolean;
  /**
   * A string may be `__proto__` or `constructor` (spelt so, or holding any escape that could spell
   * them), or the text starts with a byte-order mark: only then can prototype-poisoning keys be
   * present, and a parser need look for them.
   */
  suspectKeys: boolean;
}

const PROTO = Buffer.from('__proto__');
const CONSTRUCTOR = Buffer.from('constructor');
/** Whether `bytes[from, to)` spells `word`. */
const spells = (bytes: Uint8Array, from: number, to: number, word: Uint8Array): boolean => {
  if (to - from !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (bytes[from + k] !== word[k]) return false;
  return true;
};

// Byte classes: 0 nothing to do, 1 open, 2 close, 3 quote.
const CLASS = new Uint8Array(256);
CLASS[0x7b] = 1; // {
CLASS[0x5b] = 1; // [
CLASS[0x7d] = 2; // }
CLASS[0x5d] = 2; // ]
CLASS[0x22] = 3; // "

const isD = (b: number) => b === 0x64 || b === 0x44; // d D
const isHighNibble = (b: number) => (b >= 0x38 && b <= 0x39) || b === 0x61 || b === 0x62 || b === 0x41 || b === 0x42; // 8 9 a b A B
const isLowNibble = (b: number) => (b >= 0x63 && b <= 0x66) || (b >= 0x43 && b <= 0x46); // c-f C-F

/**
 * One pass over JSON text (UTF-8 bytes): the deepest nesting and whether any string holds U+0000 or
 * a lone surrogate. Exact for valid JSON (an escaped backslash followed by `u0000` is not a NUL; a
 * high surrogate escape followed by a low one is a pair); for invalid JSON the parser's error is
 * what counts. Stops as soon as the depth passes `stopAbove`.
 */
export function scanJsonText(bytes: Uint8Array, stopAbove = JSON_MAX_DEPTH): JsonTextScan {
  let depth = 0;
  let deepest = 0;
  let badText = false;
  const n = bytes.length;
  let suspectKeys = n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf; // UTF-8 byte-order mark
  for (let i = 0; i < n; i++) {
    const c = CLASS[bytes[i]];
    if (c === 0) continue;
    if (c === 1) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) break;
      }
    } else if (c === 2) depth--;
    else {
      // A string: find its closing quote, looking only at escapes on the way.
      const start = i + 1;
      for (i++; i < n; i++) {
        const b = bytes[i];
        if (b === 0x22) {
          if (!suspectKeys && (spells(bytes, start, i, PROTO) || spells(bytes, start, i, CONSTRUCTOR))) suspectKeys = true;
          break;
        }
        if (b !== 0x5c) continue;
        suspectKeys = true;
        i++;
        if (bytes[i] !== 0x75 /* u */) continue;
        const h0 = bytes[i + 1];
        const h1 = bytes[i + 2];
        if (h0 === 0x30 && h1 === 0x30 && bytes[i + 3] === 0x30 && bytes[i + 4] === 0x30) badText = true;
        else if (isD(h0) && isHighNibble(h1)) {
          // A high surrogate must be followed at once by a low one.
          if (bytes[i + 5] === 0x5c && bytes[i + 6] === 0x75 && isD(bytes[i + 7]) && isLowNibble(bytes[i + 8])) i += 6;
          else badText = true;
        } else if (isD(h0) && isLowNibble(h1)) badText = true;
        i += 4;
      }
    }
  }
  return { depth: deepest, badText, suspectKeys };
}

// String.prototype.isWellFormed (ES2024, native since Node 20): false when a lone surrogate is present.
const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** U+0000 and lone surrogates replaced by U+FFFD (String.prototype.toWellFormed, native since Node 20). */
const storable = (s: string): string => (s as unknown as { toWellFormed(): string }).toWellFormed().replaceAll('\u0000', '\ufffd');

/** The first U+0000 or lone surrogate in a string, or -1. */
export function badCharacterIndex(s: string): number {
  const nul = s.indexOf('\u0000');
  if (wellFormed(s)) return nul;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) return i;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return i;
    } else if (c >= 0xdc00 && c <= 0xdfff) return i;
  }
  return -1;
}

/** Whether a string holds U+0000 or a lone surrogate. */
export const hasBadCharacter = (s: string): boolean => s.includes('\u0000') || !wellFormed(s);

const describe = (s: string): string => {
  const i = badCharacterIndex(s);
  const c = s.charCodeAt(i);
  return c === 0 ? 'U+0000 is not allowed in text' : `a lone surrogate (U+${c.toString(16).toUpperCase()}) is not allowed in text`;
};

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return `${path}.${key}`;
  // Keys quoted in a path never carry the bad characters themselves: the path must be storable.
  return `${path}[${JSON.stringify(storable(key))}]`;
}

/**
 * A problem in a parsed value (the first one met, a level's strings before its children's): a string or key holding U+0000 or a lone surrogate, or
 * objects and arrays nested more than `maxDepth` deep (the value itself is depth 1). Walks with an
 * explicit stack, so any depth is safe; null when there is none.
 */
export function findTextProblem(value: unknown, maxDepth = JSON_MAX_DEPTH, root = '$'): TextProblem | null {
  if (typeof value === 'string') return hasBadCharacter(value) ? { path: root, code: TextProblemCode.INVALID_CHARACTER, message: describe(value) } : null;
  if (value === null || typeof value !== 'object') return null;
  const stack: Array<{ value: object; path: string; depth: number }> = [{ value, path: root, depth: 1 }];
  while (stack.length) {
    const top = stack.pop() as { value: object; path: string; depth: number };
    if (top.depth > maxDepth) return { path: top.path, code: TextProblemCode.NESTING_TOO_DEEP, message: `objects and arrays may nest at most ${maxDepth} deep` };
    const children: Array<{ value: object; path: string; depth: number }> = [];
    const visit = (v: unknown, key: string | number): TextProblem | null => {
      if (typeof v === 'string') {
        return hasBadCharacter(v) ? { path: childPath(top.path, key), code: TextProblemCode.INVALID_CHARACTER, message: describe(v) } : null;
      }
      if (v !== null && typeof v === 'object') children.push({ value: v, path: childPath(top.path, key), depth: top.depth + 1 });
      return null;
    };
    if (Array.isArray(top.value)) {
      for (let i = 0; i < top.value.length; i++) {
        const p = visit(top.value[i], i);
        if (p) return p;
      }
    } else {
      for (const key of Object.keys(top.value)) {
        if (hasBadCharacter(key)) return { path: childPath(top.path, key), code: TextProblemCode.INVALID_CHARACTER, message: `a key: ${describe(key)}` };
        const p = visit((top.value as Record<string, unknown>)[key], key);
        if (p) return p;
      }
    }
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
  return null;
}
