// What a command prints: aligned tables for people on stdout, warnings and progress on stderr,
// and with --json one JSON document on stdout instead (errors included), for scripts.

/**
 * Aligns rows under headers. Numbers are right-aligned.
 * @param {string[]} headers
 * @param {unknown[][]} rows
 */
export function table(headers, rows, { indent = '' } = {}) {
  const text = (v) => (v === null || v === undefined ? '-' : String(v));
  const cells = rows.map((r) => r.map(text));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === null || r[i] === undefined));
  const line = (r) =>
    indent +
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : i === r.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(headers.map((h, i) => (numeric[i] ? h.padStart(widths[i]) : h))), ...cells.map(line)].join('\n');
}

export class Output {
  /** @param {{ stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream, json?: boolean }} io */
  constructor({ stdout, stderr, json = false }) {
    this.stdout = stdout;
    this.stderr = stderr;
    this.json = json;
  }

  /** A line for people (nothing in --json mode: the JSON document says it). */
  line(text = '') {
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  /** A note on stderr (both modes). */
  note(text) {
    this.stderr.write(`${text}\n`);
  }

  /** The command's machine result (only in --json mode). */
  result(value) {
    if (this.json) this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }
}
