import type { KpiDefinition } from '@mlp/contracts';
import { kpiPointsQuery } from './kpi-sql';
import { parseKpiQuery } from './kpi-query';

const kpi: KpiDefinition = { name: 'revenue', sql: 'SELECT day, channel, revenue FROM dwh.mart_revenue;', date_column: 'day', value_column: 'revenue', dimension_column: 'channel' };

describe('the KPI points SQL', () => {
  it('reads the declared columns, filters by parameters only, orders by date then dimension and asks one row more than an answer holds', () => {
    const { sql, params } = kpiPointsQuery(kpi, { from: '2026-01-01', to: '2026-01-31', dimension: "web'; --" });
    expect(params).toEqual(['2026-01-01', '2026-01-31', "web'; --"]);
    expect(sql).toContain('k."day"::date AS date, k."revenue"::float8 AS value, k."channel"::text AS dimension');
    expect(sql).toContain('FROM (\nSELECT day, channel, revenue FROM dwh.mart_revenue\n) k');
    expect(sql).toContain('WHERE p.date IS NOT NULL AND p.date >= $1::date AND p.date <= $2::date AND p.dimension = $3::text');
    expect(sql).toContain('ORDER BY p.date, p.dimension NULLS FIRST\n LIMIT 10001');
  });

  it('defaults to the columns date and value, without a dimension or a range', () => {
    const { sql, params } = kpiPointsQuery({ name: 'signups', sql: 'SELECT d AS date, n AS value FROM dwh.x' }, {});
    expect(params).toEqual([]);
    expect(sql).toContain('k."date"::date AS date, k."value"::float8 AS value, NULL::text AS dimension');
    expect(sql).toContain('WHERE p.date IS NOT NULL\n');
  });

  it('refuses a column that is not an identifier', () => {
    expect(() => kpiPointsQuery({ ...kpi, value_column: 'x" FROM y --' }, {})).toThrow(/value_column/);
  });
});

describe('the KPI query string', () => {
  it('takes real calendar dates in order and a dimension for a dimensional KPI', () => {
    expect(parseKpiQuery({ from: '2026-02-01', to: '2026-02-28', dimension: 'web' }, true)).toEqual({ from: '2026-02-01', to: '2026-02-28', dimension: 'web' });
    expect(parseKpiQuery({}, false)).toEqual({});
  });

  it('refuses impossible dates, a reversed range, and a dimension the KPI does not have', () => {
    for (const q of [{ from: '2026-02-30' }, { to: '2026-1-5' }, { from: '2026-03-01', to: '2026-02-01' }]) expect(parseKpiQuery(q, true)).toMatchObject({ code: 'INVALID_KPI_QUERY' });
    expect(parseKpiQuery({ dimension: 'web' }, false)).toEqual({ code: 'INVALID_KPI_QUERY', message: 'this KPI has no dimension' });
    expect(parseKpiQuery({ dimension: 'a\u0000b' }, true)).toMatchObject({ code: 'INVALID_KPI_QUERY' });
    expect(parseKpiQuery({ from: ['2026-01-01', '2026-01-02'] as unknown as string }, true)).toMatchObject({ code: 'INVALID_KPI_QUERY' });
  });
});
