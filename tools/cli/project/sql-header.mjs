// A model's configuration may sit at the top of its .sql file instead of a .yaml beside it:
//
//   /* mlp
//   layer: marts
//   materialized: table
//   */
//   SELECT ...
const HEADER = /^(\s*)\/\*[ \t]*mlp[ \t]*\r?\n([\s\S]*?)^[ \t]*\*\/[ \t]*(?:\r?\n|$)/m;

/**
 * @returns {{ header: string|null, headerLine: number, sql: string, sqlLine: number }}
 *   headerLine: the file line of the YAML's first line; sqlLine: the file line where the SQL starts.
 */
export function splitSqlHeader(text) {
  const m = HEADER.exec(text);
  if (!m || m.index !== 0) {
    const lead = /^\s*/.exec(text)[0];
    return { header: null, headerLine: 0, sql: text.trim(), sqlLine: 1 + countLines(lead) };
  }
  const headerLine = 2 + countLines(m[1]);
  const rest = text.slice(m[0].length);
  const lead = /^\s*/.exec(rest)[0];
  return { header: m[2], headerLine, sql: rest.trim(), sqlLine: 1 + countLines(text.slice(0, m[0].length)) + countLines(lead) };
}

const countLines = (s) => (s.match(/\n/g) ?? []).length;
