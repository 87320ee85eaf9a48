const SPECIAL = /[\\\t\n\r]/;

/** One value in PostgreSQL's COPY text format: tabs, newlines and backslashes escaped. */
export function copyText(s: string): string {
  // Most values need no escaping; testing first avoids four replace passes per value.
  return SPECIAL.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
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
