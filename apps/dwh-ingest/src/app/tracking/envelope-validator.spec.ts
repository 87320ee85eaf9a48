import { TrackingMessage } from '@mlp/contracts';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { dateTime, envelopeViolations } from './envelope-validator';

// ajv-formats' own date-time check (full mode), the one the contracts use.
const reference = (() => {
  const ajv = new Ajv();
  addFormats(ajv);
  return (ajv.formats['date-time'] as { validate: (s: string) => boolean }).validate;
})();

describe('the envelope fast path', () => {
  it('accepts exactly the date-time strings ajv-formats accepts', () => {
    const samples = [
      '2026-11-20T10:00:00.000Z',
      '2026-11-20T10:00:00Z',
      '2026-11-20t10:00:00.000z',
      '2026-11-20 10:00:00.000Z',
      '2026-11-20T10:00:00.123456Z',
      '2026-11-20T12:00:00+02:00',
      '2026-11-20T12:00:00.000+0200',
      '2026-11-20T10:00:00.000',
      '2026-02-29T10:00:00.000Z',
      '2024-02-29T10:00:00.000Z',
      '2000-02-29T10:00:00.000Z',
      '1900-02-29T10:00:00.000Z',
      '2026-04-31T10:00:00.000Z',
      '2026-00-10T10:00:00.000Z',
      '2026-13-10T10:00:00.000Z',
      '2026-12-00T10:00:00.000Z',
      '2026-12-32T10:00:00.000Z',
      '2026-12-31T24:00:00.000Z',
      '2026-12-31T23:60:00.000Z',
      '2026-12-31T23:59:60.000Z',
      '2026-12-30T23:59:60.000Z',
      '2026-12-31T22:59:60.000Z',
      '2026-12-31T23:59:61.000Z',
      '0000-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
      '2026-11-20T10:00:00.000Z ',
      ' 2026-11-20T10:00:00.000Z',
      '2026-11-20T10:00:00.000Z\n',
      '2026-11-20T1a:00:00.000Z',
      '２０２６-11-20T10:00:00.000Z',
      '2026-11-20',
      '',
    ];
    for (const s of samples) expect([s, dateTime(s)]).toEqual([s, reference(s)]);
  });

  it('agrees with ajv-formats on every canonical date-time of a sweep over days, months and times', () => {
    const two = (n: number) => String(n).padStart(2, '0');
    let checked = 0;
    for (const year of [1900, 1999, 2000, 2023, 2024, 2026, 2100]) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          for (const [h, m, sec] of [[0, 0, 0], [23, 59, 59], [23, 59, 60], [24, 0, 0], [12, 60, 0], [12, 0, 61], [99, 99, 99]]) {
            const s = `${year}-${two(month)}-${two(day)}T${two(h)}:${two(m)}:${two(sec)}.500Z`;
            expect([s, dateTime(s)]).toEqual([s, reference(s)]);
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(7 * 14 * 33 * 7);
  });

  it('reports the same violations, in the same order, as the contract', () => {
    const valid = { type: 'track', messageId: 'm1', userId: 'u1', event: 'page_viewed', timestamp: '2026-11-20T10:00:00.000Z', properties: {} };
    const messages: unknown[] = [
      valid,
      { ...valid, type: 'identify' },
      { ...valid, timestamp: '2026-02-30T10:00:00.000Z' },
      { ...valid, timestamp: '2026-11-20T10:00:00+01:00', sentAt: 'yesterday' },
      { ...valid, messageId: '', extra: 1, type: 'page' },
      { ...valid, messageId: 'x'.repeat(129), userId: 7, context: [] },
      { type: 'track' },
      { ...valid, schemaVersion: '1-0', properties: 'nope', traits: null },
      { ...valid, timestamp: 1700000000000 },
    ];
    for (const m of messages) {
      const contract = TrackingMessage.validate(m);
      expect(envelopeViolations(m)).toEqual(contract.ok ? [] : contract.violations);
    }
    expect(envelopeViolations(messages[5]).length).toBeGreaterThan(1);
  });
});
