import type { ApplyRequest } from '@mlp/contracts';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { parseTrainingSet, sql } from '../../testing/warehouse-fixtures';

/**
 * POST /v1/historical-features against a brute-force point-in-time join written here, from the
 * definition alone, over generated data: source rows and pushed rows (ties between them and among
 * pushes, within one push and across pushes), event times and entity rows microseconds apart,
 * exactly one ttl old or one microsecond more, rows before any data, duplicate entity rows,
 * timestamps written with other offsets and fraction lengths, odd strings and extreme floats.
 * Every case uses its own entities, so the cases do not see each other's rows.
 */

const US_PER_DAY = 86_400_000_000;
const VIEWS = [
  { name: 'pit_day', mart: 'dwh.mart_pit_day', ttlUs: US_PER_DAY },
  { name: 'pit_week', mart: 'dwh.mart_pit_week', ttlUs: 7 * US_PER_DAY },
] as const;
const FEATURES = ['n', 'x', 's', 'b'] as const;
/** Instants are microseconds since the epoch; all of them stay well inside 2^53. */
const BASE_US = Date.UTC(2026, 1, 10) * 1000;
/** Event times are drawn mostly from these offsets of BASE_US, so ties and ttl edges are frequent. */
const GRID = [0, 300, 700, 1000, 123_300, 123_700, US_PER_DAY, US_PER_DAY + 300, 2 * US_PER_DAY, 2 * US_PER_DAY + 700, 7 * US_PER_DAY, 7 * US_PER_DAY + 300, 7 * US_PER_DAY + 700, -US_PER_DAY, -7 * US_PER_DAY + 300];
/** Entity rows sit at a grid point plus one of these: on it, a microsecond or a partial millisecond off, exactly a ttl later or a microsecond more or less, long before anything. */
const DELTAS = [0, 1, -1, 400, -400, 1000, -1000, US_PER_DAY, US_PER_DAY + 1, US_PER_DAY - 1, 7 * US_PER_DAY, 7 * US_PER_DAY + 1, 7 * US_PER_DAY - 1, -21 * US_PER_DAY];

type Value = number | string | boolean | null;
interface DataRow {
  entity: number;
  at: number;
  values: [number | null, number | null, string | null, boolean | null];
}
interface Timestamp {
  at: number;
  /** Offset of the written form from UTC, minutes. */
  offset: number;
  /** Fraction digits written: the fewest that are exact, always 6, or 6 plus zeros. */
  digits: 'short' | 'six' | 'nine';
}
interface Case {
  sources: [DataRow[], DataRow[]];
  pushes: Array<{ view: 0 | 1; to: 'offline' | 'online_and_offline'; rows: Array<DataRow & { ts: Timestamp }> }>;
  rows: Array<{ entity: number; ts: Timestamp }>;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** An instant written as ISO-8601 in the given offset, independently of the service's code. */
function writeTimestamp({ at, offset, digits }: Timestamp): string {
  const local = at + offset * 60_000_000;
  const ms = Math.floor(local / 1000);
  const d = new Date(ms);
  const micros = local - Math.floor(local / 1_000_000) * 1_000_000;
  let frac = pad(micros, 6);
  if (digits === 'short') frac = micros === 0 ? '' : micros % 1000 === 0 ? frac.slice(0, 3) : frac;
  if (digits === 'nine') frac += '000';
  const sign = offset < 0 ? '-' : '+';
  const zone = offset === 0 && digits !== 'six' ? 'Z' : `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${date}${frac ? `.${frac}` : ''}${zone}`;
}

/** How a training set prints a timestamp: UTC, `+00:00`, the fraction without trailing zeros. */
function printedTimestamp(at: number): string {
  const seconds = Math.floor(at / 1_000_000);
  const micros = at - seconds * 1_000_000;
  const frac = micros ? `.${pad(micros, 6).replace(/0+$/, '')}` : '';
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}${frac}+00:00`;
}

/** A float as it comes out of a training set: NaN and infinities are strings (as PostgreSQL's JSON writes them). */
const printedFloat = (x: number | null): Value => (x === null ? null : Number.isNaN(x) ? 'NaN' : x === Infinity ? 'Infinity' : x === -Infinity ? '-Infinity' : x);
/** A float as SQL text, keeping -0 (String(-0) is "0"). */
const floatText = (x: number | null) => (x === null ? null : Object.is(x, -0) ? '-0' : String(x));

const instant = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...GRID) }, { weight: 1, arbitrary: fc.integer({ min: -8 * US_PER_DAY, max: 8 * US_PER_DAY }) }).map((o) => BASE_US + o);
const timestamp = (at: fc.Arbitrary<number>): fc.Arbitrary<Timestamp> =>
  fc.record({ at, offset: fc.constantFrom(0, 0, 330, -480, 840, -210, 60), digits: fc.constantFrom('short', 'short', 'six', 'nine') as fc.Arbitrary<Timestamp['digits']> });
const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }).filter((s) => !s.includes('\u0000')),
  fc.constantFrom('', ' ', '"', '\\', '\\n', '\n\t\r', 'ß', '😀', '\u2028', 'null', '{"a":1}', "'; DROP TABLE x; --"),
);
const extremeInt = fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(0, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 31, -(2 ** 31) - 1));
const anyFloat = fc.oneof(fc.double(), fc.constantFrom(Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -0, 0.1, 1e-300, 1 / 3));
/** Pushed rows are JSON: no NaN or infinities, and JSON has no -0. */
const jsonFloat = anyFloat.filter((x) => Number.isFinite(x) && !Object.is(x, -0));
const values = (float: fc.Arbitrary<number>) =>
  fc.tuple(fc.option(extremeInt, { freq: 5 }), fc.option(float, { freq: 5 }), fc.option(oddString, { freq: 5 }), fc.option(fc.boolean(), { freq: 5 }));
const entity = fc.integer({ min: 0, max: 2 });
const sourceRows = fc.uniqueArray(fc.record({ entity, at: instant, values: values(anyFloat) }), { maxLength: 10, selector: (r) => `${r.entity}|${r.at}` });
const pushRow = fc.record({ entity, values: values(jsonFloat), ts: timestamp(instant) }).map((r) => ({ ...r, at: r.ts.at }));

const caseArb: fc.Arbitrary<Case> = fc.record({
  sources: fc.tuple(sourceRows, sourceRows),
  pushes: fc.array(fc.record({ view: fc.constantFrom(0, 1) as fc.Arbitrary<0 | 1>, to: fc.constantFrom('offline', 'online_and_offline') as fc.Arbitrary<'offline' | 'online_and_offline'>, rows: fc.array(pushRow, { minLength: 1, maxLength: 5 }) }), { maxLength: 3 }),
  // Entity 3 never has data.
  rows: fc.array(
    fc.record({
      entity: fc.integer({ min: 0, max: 3 }),
      ts: timestamp(fc.tuple(fc.constantFrom(...GRID), fc.constantFrom(...DELTAS)).map(([g, d]) => BASE_US + g + d)),
    }),
    { minLength: 1, maxLength: 12 },
  ),
});

/**
 * The reference: per entity row and view, among the view's rows of that entity with
 * `row time - ttl <= event time <= row time`, the greatest by (event time, pushed over source,
 * later push over earlier push, later row of one push over earlier); none -> nulls.
 */
function expectedRows(c: Case, users: string[]): Value[][] {
  return c.rows.map((r) => {
    const out: Value[] = [users[r.entity], printedTimestamp(r.ts.at)];
    VIEWS.forEach((view, vi) => {
      const candidates: Array<{ rank: number[]; row: DataRow; pushed: boolean }> = [];
      for (const s of c.sources[vi]) candidates.push({ rank: [s.at, 0, 0], row: s, pushed: false });
      let order = 0;
      for (const p of c.pushes) for (const row of p.rows) if (p.view === vi) candidates.push({ rank: [row.at, 1, ++order], row, pushed: true });
      let best: (typeof candidates)[number] | undefined;
      for (const cand of candidates) {
        if (cand.row.entity !== r.entity || cand.row.at > r.ts.at || cand.row.at < r.ts.at - view.ttlUs) continue;
        if (!best || cand.rank[0] > best.rank[0] || (cand.rank[0] === best.rank[0] && (cand.rank[1] > best.rank[1] || (cand.rank[1] === best.rank[1] && cand.rank[2] > best.rank[2])))) best = cand;
      }
      const [n, x, s, b] = best ? best.row.values : [null, null, null, null];
      out.push(n, printedFloat(x), s, b);
    });
    return out;
  });
}

const DEFINITIONS: ApplyRequest = {
  entities: [{ name: 'pit_user', join_key: 'user_id', value_type: 'string' }],
  feature_views: VIEWS.map((v) => ({
    name: v.name,
    entities: ['pit_user'],
    features: [
      { name: 'n', type: 'int64' as const },
      { name: 'x', type: 'float64' as const },
      { name: 's', type: 'string' as const },
      { name: 'b', type: 'bool' as const },
    ],
    source: { sql: `SELECT user_id, ts AS event_timestamp, n, x, s, b FROM ${v.mart}` },
    ttl_seconds: v.ttlUs / 1_000_000,
    online: true,
  })),
};

/** PIT_PROPERTY_RUNS / PIT_PROPERTY_SECONDS run it longer by hand; PIT_PROPERTY_NO_EXAMPLES=1 leaves out the fixed examples (to see what generation alone finds). */
const RUNS = Number(process.env['PIT_PROPERTY_RUNS'] ?? 150);
const TIME_LIMIT_MS = Number(process.env['PIT_PROPERTY_SECONDS'] ?? 40) * 1000;

describe('point-in-time training sets against a brute-force reference (property-based, real PostgreSQL)', () => {
  let svc: TestService;
  let caseNo = 0;
  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { MATERIALIZATION_WORKER: 'false', REDIS_URL: undefined } });
    await sql(svc.db.url, async (c) => {
      await c.query(`CREATE SCHEMA IF NOT EXISTS dwh`);
      for (const v of VIEWS) await c.query(`CREATE TABLE ${v.mart} (user_id text, ts timestamptz, n bigint, x double precision, s text, b boolean)`);
    });
    const applied = await callService(svc, 'POST', '/v1/apply', DEFINITIONS);
    expect([applied.status, applied.status === 200 ? '' : applied.text]).toEqual([200, '']);
  });
  afterAll(() => svc.close());

  async function run(c: Case): Promise<void> {
    // Entities of this run only (fast-check runs the property again while it shrinks a failure).
    const users = [0, 1, 2, 3].map((e) => `c${++caseNo}_${e}`);
    await sql(svc.db.url, async (client) => {
      for (const [vi, rows] of c.sources.entries()) {
        await client.query(
          `INSERT INTO ${VIEWS[vi].mart} SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::bigint[], $4::float8[], $5::text[], $6::boolean[])`,
          [rows.map((r) => users[r.entity]), rows.map((r) => writeTimestamp({ at: r.at, offset: 0, digits: 'six' })), rows.map((r) => r.values[0]), rows.map((r) => floatText(r.values[1])), rows.map((r) => r.values[2]), rows.map((r) => r.values[3])],
        );
      }
    });
    for (const p of c.pushes) {
      const rows = p.rows.map((r) => ({ user_id: users[r.entity], event_timestamp: writeTimestamp(r.ts), n: r.values[0], x: r.values[1], s: r.values[2], b: r.values[3] }));
      const pushed = await callService(svc, 'POST', '/v1/push', { feature_view: VIEWS[p.view].name, to: p.to, rows });
      expect([pushed.status, pushed.json['offline_written']]).toEqual([200, rows.length]);
    }
    const res = await callService(svc, 'POST', '/v1/historical-features', {
      features: VIEWS.flatMap((v) => FEATURES.map((f) => `${v.name}:${f}`)),
      full_feature_names: true,
      entity_rows: { user_id: c.rows.map((r) => users[r.entity]), event_timestamp: c.rows.map((r) => writeTimestamp(r.ts)) },
    });
    expect([res.status, res.status === 200 ? '' : res.text]).toEqual([200, '']);
    const set = parseTrainingSet(res.text);
    const columns = ['user_id', 'event_timestamp', ...VIEWS.flatMap((v) => FEATURES.map((f) => `${v.name}__${f}`))];
    expect(set.metadata['columns']).toEqual(columns);
    expect(set.metadata['rows']).toBe(c.rows.length);
    expect(set.metadata['fingerprint']).toBe(`sha256:${createHash('sha256').update(set.body).digest('hex')}`);
    for (const row of set.rows) expect(Object.keys(row)).toEqual(columns);
    expect(set.rows.map((row) => columns.map((k) => row[k]))).toEqual(expectedRows(c, users));
  }

  /** The issue's three reports, as fixed examples that run before the generated cases. */
  const at = (offsetUs: number, offset = 0): Timestamp => ({ at: BASE_US + offsetUs, offset, digits: 'short' });
  const v = (n: number): DataRow['values'] => [n, null, null, null];
  const examples: Case[] = [
    // A source row 300 us into a millisecond, asked for by the request's latest row 700 us into it.
    { sources: [[{ entity: 0, at: BASE_US + 300, values: v(1) }], []], pushes: [], rows: [{ entity: 0, ts: at(700) }] },
    // A row pushed at .123700 is not visible at .123300.
    { sources: [[], []], pushes: [{ view: 0, to: 'offline', rows: [{ entity: 0, at: BASE_US + 123_700, ts: at(123_700, 330), values: v(2) }] }], rows: [{ entity: 0, ts: at(123_300) }, { entity: 0, ts: at(124_000) }] },
    // Two pushes at the same event time: the later one wins.
    {
      sources: [[{ entity: 0, at: BASE_US, values: v(3) }], []],
      pushes: [
        { view: 0, to: 'offline', rows: [{ entity: 0, at: BASE_US, ts: at(0), values: v(4) }] },
        { view: 0, to: 'offline', rows: [{ entity: 0, at: BASE_US, ts: at(0, -480), values: v(5) }] },
      ],
      rows: [{ entity: 0, ts: at(0) }],
    },
  ];

  it('answers every row as the brute-force join does: values, row order, columns, fingerprint', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, (c) => run(c)),
      // Bounded for CI: 150 generated cases take about 5 s here; a slow machine stops at the time limit instead of failing.
      { numRuns: RUNS, examples: process.env['PIT_PROPERTY_NO_EXAMPLES'] ? [] : examples.map((e) => [e]), interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
  }, TIME_LIMIT_MS + 20_000);
});
