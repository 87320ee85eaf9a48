import { assembleFeatureStats, featureStatsQuery } from './feature-stats-query';

describe('feature statistics', () => {
  it('builds one statement over a materialized CTE with quantiles and histograms', () => {
    const sql = featureStatsQuery('SELECT 1', [{ name: 'orders', type: 'int64' }, { name: 'plan', type: 'string' }]);
    expect(sql).toContain('WITH latest AS MATERIALIZED (SELECT 1)');
    expect(sql).toContain('percentile_cont(ARRAY[0.01,0.05,0.25,0.5,0.75,0.95,0.99]');
    expect(sql).toContain('width_bucket');
    expect(sql.match(/FROM latest l/g)).toHaveLength(3); // the aggregates, one histogram scan, the string's top values
  });

  it('assembles numbers with edges and counts, strings with top values, and null rates', () => {
    const [orders, plan] = assembleFeatureStats(
      { n: '4', c0: '3', mean0: 2, std0: 1, min0: 1, max0: 3, q0: [1, 1, 1.5, 2, 2.5, 3, 3], h0: [{ b: 1, n: 1 }, { b: 10, n: 2 }], c1: '4', h1: [{ v: 'pro', n: 3 }, { v: 'free', n: 1 }] },
      [{ name: 'orders', type: 'int64' }, { name: 'plan', type: 'string' }],
    );
    expect(orders).toMatchObject({ count: 4, null_count: 1, null_rate: 0.25, mean: 2, min: 1, max: 3 });
    expect(orders.quantiles).toMatchObject({ p01: 1, p50: 2, p99: 3 });
    expect(orders.histogram).toEqual({ edges: [1, 1.2, 1.4, 1.6, 1.8, 2, 2.2, 2.4, 2.6, 2.8, 3].map((e) => expect.closeTo(e, 9)), counts: [1, 0, 0, 0, 0, 0, 0, 0, 0, 2] });
    expect(plan).toMatchObject({ null_rate: 0, histogram: { values: ['pro', 'free'], counts: [3, 1] }, mean: null });
  });

  it('reads numeric histograms from the one-scan result, per feature', () => {
    const [a, b] = assembleFeatureStats(
      { n: '3', c0: '3', min0: 0, max0: 10, mean0: 5, q0: [0, 0, 0, 5, 10, 10, 10], c1: '3', min1: 1, max1: 1, mean1: 1, q1: [1, 1, 1, 1, 1, 1, 1], hnum: [{ i: 0, b: 1, n: 1 }, { i: 0, b: 10, n: 2 }, { i: 1, b: 1, n: 3 }] },
      [{ name: 'a', type: 'float64' }, { name: 'b', type: 'int64' }],
    );
    expect(a.histogram).toMatchObject({ counts: [1, 0, 0, 0, 0, 0, 0, 0, 0, 2] });
    expect(b.histogram).toEqual({ edges: [1, 1], counts: [3] });
  });

  it('uses a single bin when every value is equal', () => {
    const [x] = assembleFeatureStats({ n: '2', c0: '2', mean0: 5, std0: 0, min0: 5, max0: 5, q0: [5, 5, 5, 5, 5, 5, 5], h0: [{ b: 1, n: 2 }] }, [{ name: 'x', type: 'float64' }]);
    expect(x.histogram).toEqual({ edges: [5, 5], counts: [2] });
  });
});
