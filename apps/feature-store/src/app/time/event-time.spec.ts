import fc from 'fast-check';
import { checkContractTimestamps, checkTimestamp, compareInstants, formatInstant, instantFromEpochMicros, instantLiteral, parseTimestamp, type Instant } from './event-time';

const instant = (text: string): Instant => {
  const t = parseTimestamp(text);
  if (typeof t === 'string') throw new Error(`${text}: ${t}`);
  return t;
};

/** Epoch microseconds as a BigInt: the independent reference for the split Instant. */
const micros = (t: Instant) => BigInt(t.ms) * 1000n + BigInt(t.us);

describe('event times at microsecond precision', () => {
  it('keeps the microseconds a Date would drop, in any offset', () => {
    expect(instant('2026-02-10T00:00:00.000300Z')).toEqual({ ms: Date.UTC(2026, 1, 10), us: 300 });
    expect(instant('2026-02-10T00:00:00.1237Z')).toEqual({ ms: Date.UTC(2026, 1, 10) + 123, us: 700 });
    expect(instant('2026-02-10T05:30:00.000700+05:30')).toEqual({ ms: Date.UTC(2026, 1, 10), us: 700 });
    expect(instant('2026-02-09T16:00:00.999999-08:00')).toEqual({ ms: Date.UTC(2026, 1, 10) + 999, us: 999 });
    expect(instant('2026-02-10 00:00:00+0100')).toEqual(instant('2026-02-09T23:00:00Z'));
    expect(instant('2026-02-10t00:00:00z')).toEqual(instant('2026-02-10T00:00:00Z'));
    expect(instant('2026-02-10T03:00:00+03')).toEqual(instant('2026-02-10T00:00:00Z'));
  });

  it('accepts zeros after the sixth fraction digit and refuses any other digit there as TIMESTAMP_TOO_PRECISE', () => {
    expect(instant('2026-02-10T00:00:00.123456000Z')).toEqual(instant('2026-02-10T00:00:00.123456Z'));
    expect(instant('2026-02-10T00:00:00.1234560Z')).toEqual(instant('2026-02-10T00:00:00.123456Z'));
    expect(parseTimestamp('2026-02-10T00:00:00.1234567Z')).toBe('TIMESTAMP_TOO_PRECISE');
    expect(parseTimestamp('2026-02-10T00:00:00.0000001Z')).toBe('TIMESTAMP_TOO_PRECISE');
  });

  it('refuses what PostgreSQL would refuse or read as local time: no offset, no such date, hour 24, 60.5 seconds, offsets past 15:59', () => {
    for (const bad of [
      '2026-02-10T00:00:00',
      '2026-02-10',
      'yesterday',
      '2026-02-30T00:00:00Z',
      '2025-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-02-10T24:00:00Z',
      '2026-02-10T00:60:00Z',
      '2026-02-10T23:59:60.5Z',
      '2026-02-10T00:00:00+16:00',
      '0000-01-01T00:00:00Z',
      '0001-01-01T00:00:00+01:00',
      '9999-12-31T23:59:59-01:00',
      ' 2026-02-10T00:00:00Z',
      '2026-02-10T00:00:00.Z',
    ]) {
      expect([bad, parseTimestamp(bad)]).toEqual([bad, 'INVALID_TIMESTAMP']);
    }
    expect(instant('2024-02-29T00:00:00Z')).toEqual({ ms: Date.UTC(2024, 1, 29), us: 0 });
    // Second 60 is the next minute, as PostgreSQL reads it.
    expect(instant('2016-12-31T23:59:60Z')).toEqual(instant('2017-01-01T00:00:00Z'));
    expect(instant('0001-01-01T00:00:00Z')).toEqual({ ms: -62135596800000, us: 0 });
    expect(instant('9999-12-31T23:59:59.999999Z')).toEqual({ ms: 253402300799999, us: 999 });
  });

  it('agrees with Date.parse on every millisecond-precision date-time, in any offset', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9998-12-31T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: -15 * 60 - 59, max: 15 * 60 + 59 }), (d, offset) => {
        const local = new Date(d.getTime() + offset * 60_000).toISOString().slice(0, 23);
        const sign = offset < 0 ? '-' : '+';
        const text = `${local}${sign}${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`;
        expect(instant(text)).toEqual({ ms: d.getTime(), us: 0 });
      }),
    );
  });

  it('prints an instant as before with milliseconds, and with six digits only when there are microseconds; parsing it gives it back', () => {
    expect(formatInstant({ ms: Date.UTC(2026, 1, 10, 0, 0, 0, 123), us: 0 })).toBe('2026-02-10T00:00:00.123Z');
    expect(formatInstant({ ms: Date.UTC(2026, 1, 10, 0, 0, 0, 123), us: 7 })).toBe('2026-02-10T00:00:00.123007Z');
    fc.assert(
      fc.property(fc.integer({ min: -62135596800000, max: 253402300799999 }), fc.integer({ min: 0, max: 999 }), (ms, us) => {
        expect(instant(formatInstant({ ms, us }))).toEqual({ ms, us });
      }),
    );
  });

  it('splits exact epoch microseconds (as PostgreSQL prints them) into the same instant, before 1970 too', () => {
    expect(instantFromEpochMicros('1770681600000300')).toEqual({ ms: 1770681600000, us: 300 });
    expect(instantFromEpochMicros('-1')).toEqual({ ms: -1, us: 999 });
    expect(instantFromEpochMicros('-1000')).toEqual({ ms: -1, us: 0 });
    expect(instantFromEpochMicros('7')).toEqual({ ms: 0, us: 7 });
    fc.assert(
      fc.property(fc.bigInt({ min: -62135596800000000n, max: 253402300799999999n }), (n) => {
        expect(micros(instantFromEpochMicros(String(n)))).toBe(n);
      }),
    );
    expect(() => instantFromEpochMicros('1e3')).toThrow();
  });

  it('orders instants by milliseconds, then microseconds', () => {
    expect(compareInstants({ ms: 1, us: 999 }, { ms: 2, us: 0 })).toBeLessThan(0);
    expect(compareInstants({ ms: 2, us: 300 }, { ms: 2, us: 700 })).toBeLessThan(0);
    expect(compareInstants({ ms: 2, us: 700 }, { ms: 2, us: 700 })).toBe(0);
  });

  it('inlines only literals made of digits, inside years 0001-9999', () => {
    expect(instantLiteral({ ms: Date.UTC(2026, 1, 10), us: 300 })).toBe(`'2026-02-10T00:00:00.000300Z'::timestamptz`);
    expect(() => instantLiteral({ ms: Date.UTC(10000, 0, 1), us: 0 })).toThrow();
  });

  it('names the field of a bad timestamp in a 400 with a machine-readable code', () => {
    expect(() => checkTimestamp('2026-02-10T00:00:00.1234567Z', '$.rows[3].event_timestamp')).toThrow(
      expect.objectContaining({ status: 400, code: 'TIMESTAMP_TOO_PRECISE', details: [expect.objectContaining({ path: '$.rows[3].event_timestamp', code: 'TIMESTAMP_TOO_PRECISE' })] }),
    );
    expect(() => checkTimestamp(42, '$.start')).toThrow(expect.objectContaining({ status: 400, code: 'INVALID_TIMESTAMP', details: [expect.objectContaining({ path: '$.start' })] }));
    expect(() => checkContractTimestamps(['2026-02-10T00:00:00Z', '2026-02-10T00:00:00.0000005Z'], '$.entity_rows.event_timestamp')).toThrow(
      expect.objectContaining({ code: 'TIMESTAMP_TOO_PRECISE', details: [expect.objectContaining({ path: '$.entity_rows.event_timestamp[1]' })] }),
    );
    expect(() => checkContractTimestamps(['2016-12-31T23:59:60.5Z'], '$.x')).toThrow(expect.objectContaining({ code: 'INVALID_TIMESTAMP' }));
    expect(() => checkContractTimestamps(['2026-02-10T00:00:00.123456000+05:30', '2016-12-31T23:59:60Z'], '$.x')).not.toThrow();
  });
});
