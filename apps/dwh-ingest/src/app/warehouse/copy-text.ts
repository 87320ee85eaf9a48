const SPECIAL = /[\\\t\n\r]/;

/** One value in PostgreSQL's COPY text format: tabs, newlines and backslashes escaped. */
export function copyText(s: string): string {
  // Most values need no escaping; testing first avoids four replace passes per value.
  return SPECIAL.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
}

/**
 * JSON text (JSON.stringify output) as one COPY text value. JSON.stringify escapes every control
 * character, so its output holds no tab, newline or carriage return: only backslashes need doubling.
 */
export function jsonCopyText(json: string): string {
  return json.includes('\\') ? json.replace(/\\/g, '\\\\') : json;
}

/** One line of PostgreSQL's COPY text format: tabs, newlines and backslashes escaped, null as \N. */
export function copyLine(values: ReadonlyArray<string | number | null>): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) line += '\t';
    line += v === null ? '\\N' : copyText(String(v));
  }
  return `${line}\n`;
}

/**
 * The escapes in JSON.stringify output that PostgreSQL's jsonb refuses: U+0000, and lone surrogates
 * (JSON.stringify writes a surrogate pair as its character, a lone surrogate as a `\udxxx` escape);
 * not preceded by an escaped backslash.
 */
export const UNSTORABLE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/g;

/** JSON text for a jsonb column: U+0000 and lone surrogates become U+FFFD (diagnostics that quote a client's bad input). */
export function jsonbSafe(value: unknown): string {
  return JSON.stringify(value).replace(UNSTORABLE_ESCAPE, '$1\\ufffd');
}

/** A text column cannot hold U+0000 either (message ids and event names of rejected messages). */
export function withoutNul(value: string | null): string | null {
  return value === null ? null : value.replaceAll('\u0000', '\ufffd');
}
