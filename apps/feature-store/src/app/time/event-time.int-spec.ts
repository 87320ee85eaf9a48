import { testServerUrl } from '@mlp/service-kit/testing';
import fc from 'fast-check';
import { Client } from 'pg';
import { epochMicrosSql, formatInstant, parseTimestamp } from './event-time';

/**
 * The service parses a pushed timestamp itself (for the Redis store's comparison) and sends the
 * same text to PostgreSQL; both readings must be the same instant. Checked on generated texts
 * near every rule's edge (days past the month's end, leap days, second 60, long fractions, offsets).
 */
describe('event-time parsing against PostgreSQL timestamptz input', () => {
  let client: Client;
  beforeAll(async () => {
    client = new Client({ connectionString: testServerUrl() });
    await client.connect();
  });
  afterAll(() => client.end());

  const FIRST_US = -62135596800000000n; // 0001-01-01T00:00:00Z
  const LAST_US = 253402300799999999n; // 9999-12-31T23:59:59.999999Z
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const text = fc
    .record({
      y: fc.oneof(fc.integer({ min: 1, max: 9999 }), fc.constantFrom(1, 1970, 2000, 2024, 2100, 9999)),
      mo: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 31 }),
      h: fc.integer({ min: 0, max: 23 }),
      mi: fc.integer({ min: 0, max: 59 }),
      s: fc.integer({ min: 0, max: 60 }),
      frac: fc.oneof(fc.constant(''), fc.stringMatching(/^[0-9]{1,6}$/), fc.stringMatching(/^[0-9]{6}0{1,3}$/)),
      sep: fc.constantFrom('T', 't', ' '),
      zone: fc.oneof(fc.constantFrom('Z', 'z', '+00:00', '-00:00'), fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 59 }), fc.constantFrom(':', '')).map(([sg, h, m, c]) => `${sg}${pad(h)}${c}${pad(m)}`)),
    })
    .map((p) => `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}${p.sep}${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${p.frac ? `.${p.frac}` : ''}${p.zone}`);

  const postgres = async (t: string): Promise<string | 'REFUSED'> => {
    try {
      return (await client.query<{ e: string }>(`SELECT ${epochMicrosSql('$1::timestamptz')}::text AS e`, [t])).rows[0].e;
    } catch {
      return 'REFUSED';
    }
  };

  it('reads every accepted text as the same instant as PostgreSQL, and accepts nothing PostgreSQL refuses', async () => {
    await fc.assert(
      fc.asyncProperty(text, async (t) => {
        const ours = parseTimestamp(t);
        const theirs = await postgres(t);
        if (typeof ours === 'string') {
          // Refusals beyond PostgreSQL's are deliberate: an instant outside years 0001-9999 UTC (after
          // the offset), or second 60 with a fraction (PostgreSQL takes 00:00:60.5, not 23:59:60.5).
          if (theirs !== 'REFUSED') expect([t, ours, BigInt(theirs) < FIRST_US || BigInt(theirs) > LAST_US || /:60\.\d*[1-9]/.test(t)]).toEqual([t, 'INVALID_TIMESTAMP', true]);
          return;
        }
        expect([t, theirs]).toEqual([t, String(BigInt(ours.ms) * 1000n + BigInt(ours.us))]);
        // And what the service prints PostgreSQL reads back as the same instant.
        expect([t, await postgres(formatInstant(ours))]).toEqual([t, theirs]);
      }),
      { numRuns: 400 },
    );
  });
});
