import type { SourceColumn } from '@mlp/contracts';
import { copyText } from '../warehouse/copy-text';

export interface RowViolation {
  path: string;
  code: string;
  message: string;
}

const NUMERIC = /^-?\d{1,12}(\.\d{1,6})?$/;
const INTEGER = /^-?\d{1,10}$/;
const BIGINT = /^-?\d{1,18}$/;
const DOUBLE = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d{1,3})?$/;
// ISO 8601 with an explicit offset: a time without its zone is ambiguous.
const TIMESTAMPTZ = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)$/;
const BOOLEANS: Record<string, string> = { true: 't', false: 'f', '1': 't', '0': 'f', t: 't', f: 'f' };
const INT4_MAX = 2147483647;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const digit = (s: string, i: number) => {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : -1;
};

/** YYYY-MM-DD and a real calendar day, read from the characters (no match arrays, no Date). */
export function validDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  let year = 0;
  for (let i = 0; i < 4; i++) {
    const d = digit(s, i);
    if (d < 0) return false;
    year = year * 10 + d;
  }
  const m1 = digit(s, 5), m2 = digit(s, 6), d1 = digit(s, 8), d2 = digit(s, 9);
  if (m1 < 0 || m2 < 0 || d1 < 0 || d2 < 0) return false;
  const month = m1 * 10 + m2;
  const day = d1 * 10 + d2;
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (month === 2 && leap ? 29 : DAYS[month - 1]);
}

/** A declared column with whether it must hold a value (declared required, or part of the primary key). */
export type ImportColumn = SourceColumn & { required?: boolean };

interface CompiledColumn {
  column: ImportColumn;
  path: string;
  pattern?: RegExp;
  values?: Set<string>;
}

/**
 * A source's declared columns compiled once per import: checks one row's values (in declared column
 * order) and appends its COPY text line, or returns the violations with the same codes as tracking
 * events use. A valid row allocates nothing but its output text, so a million-row file makes little
 * garbage.
 */
export class RowEncoder {
  private readonly compiled: CompiledColumn[];
  private readonly declared: Set<string>;

  constructor(readonly columns: readonly ImportColumn[]) {
    this.compiled = columns.map((c) => ({
      column: c,
      path: `$.${c.name}`,
      pattern: c.pattern === undefined ? undefined : new RegExp(c.pattern),
      values: c.values === undefined ? undefined : new Set(c.values),
    }));
    this.declared = new Set(columns.map((c) => c.name));
  }

  /**
   * `values[i]` is the raw value of column i (undefined when absent). Returns the COPY line (after
   * `prefix`, e.g. import id and row number, already escaped) or the violations.
   */
  encode(values: ArrayLike<unknown>, prefix: string): string | RowViolation[] {
    let line = prefix;
    let violations: RowViolation[] | undefined;
    for (let i = 0; i < this.compiled.length; i++) {
      const text = this.checkColumn(i, values[i]);
      if (typeof text === 'object' && text !== null) {
        (violations ??= []).push(text);
        continue;
      }
      if (violations) continue;
      line += text === null ? '\t\\N' : `\t${copyText(text)}`;
    }
    return violations ?? `${line}\n`;
  }

  /** Keys of a JSON record that are not declared columns. */
  extraKeys(record: Record<string, unknown>): RowViolation[] {
    const out: RowViolation[] = [];
    for (const k in record) if (!this.declared.has(k)) out.push({ path: `$.${k}`, code: 'ADDITIONAL_PROPERTIES', message: 'is not a declared column' });
    return out;
  }

  /** The COPY value of column i (null for an absent optional value), or its violation. */
  checkColumn(i: number, raw: unknown): string | null | RowViolation {
    const { column: c, path, pattern, values } = this.compiled[i];
    if (raw === undefined || raw === null || raw === '') {
      return c.required ? { path, code: 'REQUIRED_MISSING', message: 'is required' } : null;
    }
    if (typeof raw === 'boolean') {
      if (c.type !== 'boolean') return { path, code: 'DATATYPE_MISMATCH', message: `must be ${c.type}` };
      return raw ? 't' : 'f';
    }
    if (typeof raw !== 'string' && typeof raw !== 'number') return { path, code: 'DATATYPE_MISMATCH', message: `must be ${c.type}` };
    const text = typeof raw === 'string' ? raw : String(raw);
    if (text.includes('\u0000')) return { path, code: 'INVALID_CHARACTER', message: 'U+0000 is not allowed (PostgreSQL cannot store it)' };
    switch (c.type) {
      case 'date':
        if (!validDate(text)) return { path, code: 'DATATYPE_MISMATCH', message: 'must be a date YYYY-MM-DD' };
        break;
      case 'timestamptz':
        if (!TIMESTAMPTZ.test(text) || !validDate(text.slice(0, 10)) || Number.isNaN(Date.parse(text.replace(' ', 'T')))) {
          return { path, code: 'DATATYPE_MISMATCH', message: 'must be an ISO 8601 timestamp with a zone, e.g. 2026-11-20T10:00:00Z' };
        }
        break;
      case 'boolean': {
        const b = BOOLEANS[text.toLowerCase()];
        if (b === undefined) return { path, code: 'DATATYPE_MISMATCH', message: 'must be true or false' };
        return b;
      }
      case 'numeric':
      case 'integer':
      case 'bigint':
      case 'double': {
        const [re, what] =
          c.type === 'numeric' ? [NUMERIC, 'a decimal number'] : c.type === 'integer' ? [INTEGER, 'an integer'] : c.type === 'bigint' ? [BIGINT, 'an integer'] : [DOUBLE, 'a number'];
        if (!re.test(text)) return { path, code: 'DATATYPE_MISMATCH', message: `must be ${what}` };
        const n = Number(text);
        if (c.type === 'integer' && Math.abs(n) > INT4_MAX) return { path, code: 'OUT_OF_RANGE', message: `must be between -${INT4_MAX} and ${INT4_MAX}` };
        if (c.type === 'double' && !Number.isFinite(n)) return { path, code: 'OUT_OF_RANGE', message: 'must be a finite number' };
        if (c.minimum !== undefined && n < c.minimum) return { path, code: 'OUT_OF_RANGE', message: `must be >= ${c.minimum}` };
        if (c.maximum !== undefined && n > c.maximum) return { path, code: 'OUT_OF_RANGE', message: `must be <= ${c.maximum}` };
        break;
      }
      case 'text':
        if (typeof raw !== 'string') return { path, code: 'DATATYPE_MISMATCH', message: 'must be a string' };
        if (c.max_length !== undefined && text.length > c.max_length) return { path, code: 'SIZE_CONSTRAINT', message: `must be at most ${c.max_length} characters` };
        if (pattern !== undefined && !pattern.test(text)) return { path, code: 'PATTERN_MISMATCH', message: `must match ${c.pattern}` };
        if (values !== undefined && !values.has(text)) return { path, code: 'ACCEPTED_VALUES', message: `must be one of ${JSON.stringify(c.values)}` };
        break;
    }
    return text;
  }
}

/**
 * Checks one record against a source's declared columns and returns the values as text in column
 * order (what COPY loads), or the violations.
 */
export function validateRecord(columns: readonly ImportColumn[], record: Record<string, unknown>, strictKeys: boolean): { values: Array<string | null> } | { violations: RowViolation[] } {
  const encoder = new RowEncoder(columns);
  const violations: RowViolation[] = [];
  const values: Array<string | null> = [];
  columns.forEach((c, i) => {
    const result = encoder.checkColumn(i, record[c.name]);
    if (result !== null && typeof result === 'object') violations.push(result);
    else values.push(result);
  });
  if (strictKeys) violations.push(...encoder.extraKeys(record));
  return violations.length ? { violations } : { values };
}
