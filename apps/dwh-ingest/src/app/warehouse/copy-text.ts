const SPECIAL = /[\\\t\n\r]/;

/** One line of PostgreSQL's COPY text format: tabs, newlines and backslashes escaped, null as \N. */
export function copyLine(values: ReadonlyArray<string | number | null>): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i) line += '\t';
    if (v === null) line += '\\N';
    else {
      const s = String(v);
      // Most values need no escaping; testing first avoids four replace passes per value.
      line += SPECIAL.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
    }
  }
  return `${line}\n`;
}
