import { baselineFromFeatureStats, baselinesFromStats, parseFeatureRef, statsRequests } from './feature-store-baseline';

const stats = { feature: 'orders_7d', type: 'int', count: 100, null_count: 10, null_rate: 0.1, mean: 2, std: 1, min: 0, max: 4, quantiles: null };

describe('baselines from feature-store statistics', () => {
  it('maps a numeric histogram to bins with empty open ends', () => {
    expect(baselineFromFeatureStats('a:orders_7d', { ...stats, histogram: { edges: [0, 1, 2, 4], counts: [30, 30, 30] } })).toEqual({
      feature: 'a:orders_7d',
      kind: 'numeric',
      edges: [0, 1, 2, 4],
      proportions: [0, 1 / 3, 1 / 3, 1 / 3, 0],
    });
  });

  it('maps top string values to shares of the non-null rows, the rest as other', () => {
    expect(baselineFromFeatureStats('p:plan', { ...stats, type: 'text', histogram: { values: ['free', 'pro'], counts: [60, 20] } })).toEqual({
      feature: 'p:plan',
      kind: 'categorical',
      proportions: { free: 60 / 90, pro: 20 / 90, __other__: 10 / 90 },
    });
  });

  it('skips missing or malformed histograms', () => {
    expect(baselineFromFeatureStats('a:x', { ...stats, histogram: null })).toBeUndefined();
    expect(baselineFromFeatureStats('a:x', { ...stats, histogram: { edges: [0, 1], counts: [1, 2] } })).toBeUndefined();
    expect(baselineFromFeatureStats('a:x', { ...stats, histogram: { edges: [0, 0, 1], counts: [1, 2] } })).toBeUndefined();
  });

  it('parses feature references with and without a pinned view version', () => {
    expect(parseFeatureRef('user_activity@v3:orders_7d')).toEqual({ view: 'user_activity', version: 3, feature: 'orders_7d' });
    expect(parseFeatureRef('user_activity:orders_7d')).toEqual({ view: 'user_activity', version: undefined, feature: 'orders_7d' });
    expect(parseFeatureRef('orders_7d')).toBeUndefined();
  });

  it('asks each feature view (and pinned view version) once for the features it holds', () => {
    expect(statsRequests(['user_activity:orders_7d', 'user_profile:plan', 'user_activity:revenue_7d', 'user_activity@v2:orders_7d', 'bare_name'])).toEqual([
      { path: 'user_activity/stats', refs: [{ ref: 'user_activity:orders_7d', feature: 'orders_7d' }, { ref: 'user_activity:revenue_7d', feature: 'revenue_7d' }] },
      { path: 'user_profile/stats', refs: [{ ref: 'user_profile:plan', feature: 'plan' }] },
      { path: 'user_activity/stats?version=2', refs: [{ ref: 'user_activity@v2:orders_7d', feature: 'orders_7d' }] },
    ]);
  });

  it('takes from a view\'s statistics the requested features that have a usable histogram, named by the model\'s ref', () => {
    const [request] = statsRequests(['a@v3:orders_7d', 'a@v3:revenue_7d', 'a@v3:missing']);
    const found = baselinesFromStats(request, {
      features: [
        { ...stats, histogram: { edges: [0, 2, 4], counts: [1, 3] } },
        { ...stats, feature: 'revenue_7d', histogram: null },
        { ...stats, feature: 'unrequested', histogram: { edges: [0, 1], counts: [5] } },
      ],
    });
    expect(found).toEqual([{ feature: 'a@v3:orders_7d', kind: 'numeric', edges: [0, 2, 4], proportions: [0, 0.25, 0.75, 0] }]);
  });
});
