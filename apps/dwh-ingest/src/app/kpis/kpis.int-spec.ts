import type { KpiSeries } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';
import { callService, startTestService, type TestService } from '@mlp/service-kit/testing';
import { AppModule } from '../app.module';
import { service } from '../../service';
import { storeProjectObjects } from '../test-support';

describe('KPIs applied by projects, read over HTTP from a real PostgreSQL', () => {
  let svc: TestService;
  let db: Database;
  // Orders of 6 days over two channels; the expected points are summed here, by hand.
  const orders: Array<[string, string, number]> = [];
  for (let d = 1; d <= 6; d++) {
    for (let i = 0; i < d; i++) orders.push([`2026-03-0${d}`, i % 2 === 0 ? 'web' : 'app', 10 * d + i]);
  }
  const revenueOf = (day: string, channel?: string) => orders.filter(([d, c]) => d === day && (channel === undefined || c === channel)).reduce((s, [, , r]) => s + r, 0);
  const get = (path: string) => callService(svc, 'GET', path);

  beforeAll(async () => {
    svc = await startTestService(service, AppModule, { env: { TRANSFORM_INTERVAL_SECONDS: '0', SLA_CHECK_INTERVAL_SECONDS: '0', OUTCOMES_REFRESH_SECONDS: '0', KPI_STATEMENT_TIMEOUT_MS: '500' } });
    db = svc.app.get(Database);
    await db.query(`CREATE TABLE "dwh".test_orders (ordered_at timestamptz, channel text, revenue numeric(12,2))`);
    await db.query(`CREATE SEQUENCE "dwh".test_kpi_seq`);
    // A function the SQL check cannot see into (unqualified, not a built-in it knows): READ ONLY is what stops it.
    await db.query(`CREATE FUNCTION "dwh".test_kpi_bump() RETURNS bigint LANGUAGE sql VOLATILE AS $$ SELECT nextval('dwh.test_kpi_seq') $$`);
    await db.query(
      `INSERT INTO "dwh".test_orders SELECT (d || ' 12:00:00+00')::timestamptz, c, r FROM unnest($1::text[], $2::text[], $3::numeric[]) AS t(d, c, r)`,
      [orders.map((o) => o[0]), orders.map((o) => o[1]), orders.map((o) => o[2])],
    );
    await storeProjectObjects(db, 'paint-shop', [
      {
        kind: 'kpi',
        name: 'revenue',
        definition: {
          name: 'revenue',
          description: 'Revenue per day and channel',
          unit: 'EUR',
          sql: 'SELECT ordered_at::date AS day, channel, sum(revenue) AS revenue FROM dwh.test_orders GROUP BY 1, 2;',
          date_column: 'day',
          value_column: 'revenue',
          dimension_column: 'channel',
        },
      },
      { kind: 'kpi', name: 'orders', definition: { name: 'orders', sql: 'SELECT ordered_at AS date, count(*) AS value FROM test_orders GROUP BY 1 -- unqualified: the warehouse schema' } },
      { kind: 'kpi', name: 'broken', definition: { name: 'broken', sql: 'SELECT ordered_at::date AS date, revenue / 0 AS value FROM dwh.test_orders' } },
      { kind: 'kpi', name: 'slow', definition: { name: 'slow', sql: 'SELECT current_date AS date, count(*) AS value FROM generate_series(1, 1000) a, generate_series(1, 1000) b, generate_series(1, 1000) c' } },
      { kind: 'kpi', name: 'sleeper', definition: { name: 'sleeper', sql: 'SELECT current_date AS date, 1 AS value FROM pg_sleep(3)' } },
      { kind: 'kpi', name: 'writer', definition: { name: 'writer', sql: "SELECT current_date AS date, nextval('dwh.test_kpi_seq') AS value" } },
      { kind: 'kpi', name: 'sneaky', definition: { name: 'sneaky', sql: 'SELECT current_date AS date, test_kpi_bump() AS value' } },
      { kind: 'kpi', name: 'dropper', definition: { name: 'dropper', sql: 'WITH d AS (DELETE FROM dwh.test_orders RETURNING ordered_at) SELECT ordered_at AS date, 1 AS value FROM d' } },
    ]);
  });
  afterAll(() => svc.close());

  it('lists the KPIs with project, description and unit', async () => {
    const res = await get('/v1/kpis');
    expect(res.status).toBe(200);
    expect((res.json['kpis'] as unknown[]).slice(0, 2)).toEqual([
      { name: 'broken', project: 'paint-shop', description: null, unit: null, dimensional: false },
      { name: 'dropper', project: 'paint-shop', description: null, unit: null, dimensional: false },
    ]);
    expect((res.json['kpis'] as Array<{ name: string }>).find((k) => k.name === 'revenue')).toEqual({ name: 'revenue', project: 'paint-shop', description: 'Revenue per day and channel', unit: 'EUR', dimensional: true });
  });

  it('answers the points within the inclusive range, by date then dimension, and filters one dimension', async () => {
    const res = await get('/v1/kpis/revenue?from=2026-03-02&to=2026-03-04');
    expect(res.status).toBe(200);
    const series = res.json as unknown as KpiSeries;
    expect(series).toMatchObject({ name: 'revenue', unit: 'EUR', from: '2026-03-02', to: '2026-03-04' });
    const expected = ['2026-03-02', '2026-03-03', '2026-03-04'].flatMap((day) => ['app', 'web'].map((c) => ({ date: day, value: revenueOf(day, c), dimension: c })));
    expect(series.points).toEqual(expected);

    const web = (await get('/v1/kpis/revenue?from=2026-03-05&dimension=web')).json as unknown as KpiSeries;
    expect(web.points).toEqual([
      { date: '2026-03-05', value: revenueOf('2026-03-05', 'web'), dimension: 'web' },
      { date: '2026-03-06', value: revenueOf('2026-03-06', 'web'), dimension: 'web' },
    ]);
    expect(web.dimension).toBe('web');

    const counts = (await get('/v1/kpis/orders?to=2026-03-02')).json as unknown as KpiSeries;
    expect(counts).toEqual({ name: 'orders', unit: null, from: null, to: '2026-03-02', points: [{ date: '2026-03-01', value: 1 }, { date: '2026-03-02', value: 2 }] });
  });

  it('answers a failing KPI with 422 KPI_FAILED and PostgreSQL\'s message, never a 500, and never lets it write', async () => {
    const cases: Array<[string, RegExp]> = [
      ['broken', /division by zero/],
      ['slow', /statement timeout/],
      ['sleeper', /pg_sleep\(\) reaches the server and may not be called \(SQL_FORBIDDEN_FUNCTION\)/],
      ['writer', /nextval\(\) reaches the server and may not be called \(SQL_FORBIDDEN_FUNCTION\)/],
      ['sneaky', /read-only transaction/],
      ['dropper', /data-modifying statements \(also inside WITH\) are not allowed \(SQL_NOT_SELECT\)/],
    ];
    for (const [name, message] of cases) {
      const res = await get(`/v1/kpis/${name}`);
      expect([name, res.status, res.json['code']]).toEqual([name, 422, 'KPI_FAILED']);
      expect(res.json['error']).toMatch(message);
    }
    expect(await db.query(`SELECT count(*)::int AS n FROM "dwh".test_orders`)).toEqual([{ n: orders.length }]);
    expect(await db.query(`SELECT is_called FROM "dwh".test_kpi_seq`)).toEqual([{ is_called: false }]);
  });

  it('answers an unknown KPI with 404 UNKNOWN_KPI and a bad query with 400 INVALID_KPI_QUERY', async () => {
    for (const name of ['nope', 'Revenue', '%F0%9F%98%80', 'x'.repeat(90)]) {
      const unknown = await get(`/v1/kpis/${name}`);
      expect([name, unknown.status, unknown.json['code']]).toEqual([name, 404, 'UNKNOWN_KPI']);
    }
    for (const q of ['from=2026-02-30', 'from=2026-03-05&to=2026-03-01', 'to=yesterday']) {
      const res = await get(`/v1/kpis/revenue?${q}`);
      expect([q, res.status, res.json['code']]).toEqual([q, 400, 'INVALID_KPI_QUERY']);
    }
    const noDimension = await get('/v1/kpis/orders?dimension=web');
    expect([noDimension.status, noDimension.json['code']]).toEqual([400, 'INVALID_KPI_QUERY']);
  });
});
