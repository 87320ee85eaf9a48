import { TrackingMessage, type Violation } from '@mlp/contracts';
import Ajv, { type FormatDefinition, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

// The tracking message contract compiled a second time for the hot path: the same schema object
// (one source of truth) and the same formats (ajv-formats, full mode, as the contracts use), but
// allErrors off (it stops at the first violation and builds no error list) and the date-time fast
// path below.
const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false, validateFormats: true });
addFormats(ajv);
const fullDateTime = ajv.formats['date-time'] as FormatDefinition<string> & { validate: (s: string) => boolean };
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const two = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48;

/**
 * ajv-formats' `date-time` (full mode), with a fast path for the form nearly every client sends,
 * `Date.prototype.toISOString()` (`2026-11-20T10:00:00.000Z`): one regular expression and integer
 * range checks instead of a split, two more regular expressions and number parsing. Whatever the
 * fast path cannot confirm (another form, an impossible date, a leap second) goes to ajv-formats'
 * own function, so both accept exactly the same strings (date-time.spec.ts compares them).
 */
export function dateTime(s: string): boolean {
  if (CANONICAL.test(s)) {
    const year = (s.charCodeAt(0) - 48) * 1000 + (s.charCodeAt(1) - 48) * 100 + two(s, 2);
    const month = two(s, 5);
    const day = two(s, 8);
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    if (month >= 1 && month <= 12 && day >= 1 && day <= (month === 2 && leap ? 29 : DAYS[month]) && two(s, 11) <= 23 && two(s, 14) <= 59 && two(s, 17) <= 59) {
      return true;
    }
  }
  return fullDateTime.validate(s);
}

ajv.addFormat('date-time', { ...fullDateTime, validate: dateTime });
let fast: ValidateFunction | undefined;

/**
 * The envelope violations of a message (none: an empty array). A valid message costs one pass of the
 * fast validator; an invalid one is validated again by the contract itself, so the violations, their
 * codes, paths, messages and order are exactly the contract's (all of them, not only the first).
 */
export function envelopeViolations(message: unknown): Violation[] {
  fast ??= ajv.compile(TrackingMessage.schema);
  if (fast(message)) return [];
  const full = TrackingMessage.validate(message);
  return full.ok ? [] : full.violations;
}
