import { PlatformError } from '@mlp/runtime';

/**
 * Event times at PostgreSQL's precision (microseconds), without a JavaScript Date on the way:
 * a Date holds milliseconds, so every timestamp that went through one lost its last three digits
 * (a row pushed at .123700 was stored at .123000; a request's bounds read back into Dates dropped
 * source rows in the last partial millisecond).
 *
 * Timestamps reach SQL as the text the client wrote (PostgreSQL parses it); where the service
 * itself needs the instant (the Redis store's newer-wins comparison, online freshness) it parses
 * the same text here into an `Instant`, and an int-spec checks that this parse and PostgreSQL's
 * agree. An `Instant` is split in two so both parts stay exact doubles over the whole range
 * (epoch microseconds pass 2^53 after the year 2255).
 */
export interface Instant {
  /** Milliseconds since the epoch, rounded down. */
  ms: number;
  /** Microseconds within that millisecond, 0-999. */
  us: number;
}

export type TimestampProblem = 'INVALID_TIMESTAMP' | 'TIMESTAMP_TOO_PRECISE';

/**
 * RFC 3339 date-time (what the API contracts accept): `T`, `t` or a space between date and time,
 * a fraction of any length, an offset `Z`, `±HH`, `±HHMM` or `±HH:MM` (required).
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;
const MS_PER_DAY = 86_400_000;
/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z: four-digit years AD in UTC. */
const MIN_MS = daysFromCivil(1, 1, 1) * MS_PER_DAY;
const MAX_MS = (daysFromCivil(9999, 12, 31) + 1) * MS_PER_DAY - 1;

/** Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const daysInMonth = (y: number, m: number) => (m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31);

/**
 * Parses a date-time as PostgreSQL's timestamptz input does, or says why not: INVALID_TIMESTAMP
 * (not RFC 3339 with an offset, no such date or time, an offset beyond ±15:59 or a result outside
 * years 0001-9999 UTC) or TIMESTAMP_TOO_PRECISE (a non-zero digit after the sixth fraction digit:
 * PostgreSQL would round it away; trailing zeros are fine). Second 60 is the next minute (as in
 * PostgreSQL), and only without a fraction (PostgreSQL takes 00:00:60.5 but refuses 23:59:60.5;
 * one simple rule is stricter than both).
 */
export function parseTimestamp(text: string): Instant | TimestampProblem {
  const m = DATE_TIME.exec(text);
  if (!m) return 'INVALID_TIMESTAMP';
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  const fraction = m[7] ?? '';
  if (/[1-9]/.test(fraction.slice(6))) return 'TIMESTAMP_TOO_PRECISE';
  const micros = Number(fraction.slice(0, 6).padEnd(6, '0'));
  const offH = m[10] === undefined ? 0 : Number(m[10]);
  const offM = m[11] === undefined ? 0 : Number(m[11]);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 60 || (s === 60 && micros > 0) || offH > 15 || offM > 59) return 'INVALID_TIMESTAMP';
  const offsetSeconds = (m[9] === '-' ? -1 : 1) * (offH * 3600 + offM * 60);
  const seconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offsetSeconds;
  const ms = seconds * 1000 + Math.floor(micros / 1000);
  if (ms < MIN_MS || ms > MAX_MS) return 'INVALID_TIMESTAMP';
  return { ms, us: micros % 1000 };
}

const PROBLEM_MESSAGES: Record<TimestampProblem, string> = {
  INVALID_TIMESTAMP: 'needs an RFC 3339 date-time with an offset (e.g. 2026-02-10T00:00:00.000300Z), years 0001-9999',
  TIMESTAMP_TOO_PRECISE: 'has more precision than the microseconds stored (digits after the sixth fraction digit must be 0)',
};

/** `parseTimestamp` for request fields: a 400 naming the field (`path`, e.g. `$.rows[3].event_timestamp`). */
export function checkTimestamp(text: unknown, path: string): Instant {
  const parsed = typeof text === 'string' ? parseTimestamp(text) : 'INVALID_TIMESTAMP';
  if (typeof parsed !== 'string') return parsed;
  const message = `${path} ${PROBLEM_MESSAGES[parsed]}`;
  throw PlatformError.badRequest(message, [{ path, code: parsed, message }], parsed);
}

/**
 * Checks many timestamps that the request's contract already validated as RFC 3339 date-times,
 * for what the contract lets through and PostgreSQL would change or refuse (fraction digits past
 * the sixth, second 60, offsets over 15:59 hours): one cheap test per value, and the full parse only for the few it flags.
 */
export function checkContractTimestamps(values: readonly unknown[], path: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'string' || NEEDS_FULL_CHECK.test(v)) checkTimestamp(v, `${path}[${i}]`);
  }
}
const NEEDS_FULL_CHECK = /\.\d{7}|:60|[+-](?:1[6-9]|2\d)(?::?\d\d)?$|^0000/;

export const compareInstants = (a: Instant, b: Instant): number => a.ms - b.ms || a.us - b.us;

/**
 * The API's text of an instant: `YYYY-MM-DDTHH:MM:SS.mmmZ` as before (a Date's ISO form), with
 * the three sub-millisecond digits appended when they are not zero (`.123700Z`).
 */
export function formatInstant(t: Instant): string {
  const iso = new Date(t.ms).toISOString();
  return t.us === 0 ? iso : `${iso.slice(0, -1)}${String(t.us).padStart(3, '0')}Z`;
}

/** SQL for the exact epoch microseconds of a timestamptz expression (PostgreSQL 14+ computes extract() in numeric). */
export const epochMicrosSql = (expr: string): string => `(extract(epoch FROM ${expr}) * 1000000)::bigint`;

/** The Instant of an epoch-microseconds integer as PostgreSQL prints it (see `epochMicrosSql`). */
export function instantFromEpochMicros(text: string): Instant {
  if (!/^-?\d+$/.test(text)) throw new Error(`not an integer: ${text}`);
  const negative = text.startsWith('-');
  const digits = negative ? text.slice(1) : text;
  const whole = Number(digits.slice(0, -3) || '0');
  const rest = Number(digits.slice(-3));
  if (!negative) return { ms: whole, us: rest };
  return rest === 0 ? { ms: -whole, us: 0 } : { ms: -whole - 1, us: 1000 - rest };
}

/**
 * A timestamptz literal of an instant for SQL that cannot take parameters (COPY): built from
 * digits only, in [0001, 9999] UTC, so it is safe to inline.
 */
export function instantLiteral(t: Instant): string {
  const text = formatInstant(t);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3,6}Z$/.test(text)) throw new Error(`instant out of range: ${text}`);
  return `'${text}'::timestamptz`;
}
