import type { ImportColumn } from '@mlp/contracts';

export interface RowViolation {
  path: string;
  code: string;
  message: string;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const NUMERIC = /^-?\d{1,12}(\.\d{1,6})?$/;
const INTEGER = /^-?\d{1,15}$/;

function validDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/**
 * Checks one record against a source's declared columns and returns the values as text in column
 * order (what COPY loads), or the violations with the same codes as tracking events use.
 */
export function validateRecord(columns: readonly ImportColumn[], record: Record<string, unknown>, strictKeys: boolean): { values: Array<string | null> } | { violations: RowViolation[] } {
  const violations: RowViolation[] = [];
  const values: Array<string | null> = [];
  for (const c of columns) {
    const path = `$.${c.name}`;
    const raw = record[c.name];
    if (raw === undefined || raw === null || raw === '') {
      if (c.required) violations.push({ path, code: 'REQUIRED_MISSING', message: 'is required' });
      values.push(null);
      continue;
    }
    if (typeof raw !== 'string' && typeof raw !== 'number') {
      violations.push({ path, code: 'DATATYPE_MISMATCH', message: `must be ${c.type}` });
      values.push(null);
      continue;
    }
    const text = String(raw);
    switch (c.type) {
      case 'date':
        if (!validDate(text)) violations.push({ path, code: 'DATATYPE_MISMATCH', message: 'must be a date YYYY-MM-DD' });
        break;
      case 'numeric':
      case 'integer': {
        if (!(c.type === 'numeric' ? NUMERIC : INTEGER).test(text)) {
          violations.push({ path, code: 'DATATYPE_MISMATCH', message: `must be ${c.type === 'numeric' ? 'a decimal number' : 'an integer'}` });
        } else if (c.minimum !== undefined && Number(text) < c.minimum) {
          violations.push({ path, code: 'OUT_OF_RANGE', message: `must be >= ${c.minimum}` });
        }
        break;
      }
      case 'text':
        if (typeof raw !== 'string') violations.push({ path, code: 'DATATYPE_MISMATCH', message: 'must be a string' });
        else if (c.maxLength !== undefined && text.length > c.maxLength) violations.push({ path, code: 'SIZE_CONSTRAINT', message: `must be at most ${c.maxLength} characters` });
        else if (c.pattern !== undefined && !new RegExp(c.pattern).test(text)) violations.push({ path, code: 'PATTERN_MISMATCH', message: `must match ${c.pattern}` });
        break;
    }
    values.push(text);
  }
  if (strictKeys) {
    const declared = new Set(columns.map((c) => c.name));
    for (const k of Object.keys(record)) if (!declared.has(k)) violations.push({ path: `$.${k}`, code: 'ADDITIONAL_PROPERTIES', message: 'is not a declared column' });
  }
  return violations.length ? { violations } : { values };
}
