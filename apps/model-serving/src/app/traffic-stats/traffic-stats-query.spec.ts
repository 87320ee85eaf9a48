import { parseTrafficStatsQuery, trafficSeries } from './traffic-stats-query';

const NOW = Date.parse('2026-12-07T10:30:20Z');

describe('traffic stats query', () => {
  it('defaults to the last hour in minutes, the minute in progress included', () => {
    expect(parseTrafficStatsQuery({}, NOW)).toEqual({ fromMs: Date.parse('2026-12-07T09:31:00Z'), toMs: Date.parse('2026-12-07T10:31:00Z'), bucketSeconds: 60 });
  });

  it('takes from down and to up to whole minutes, with a bucket and a version', () => {
    expect(parseTrafficStatsQuery({ from: '2026-12-07T08:00:30Z', to: '2026-12-07T10:00:00.5+01:00', bucket: '300', version: '3' }, NOW)).toEqual({
      fromMs: Date.parse('2026-12-07T08:00:00Z'),
      toMs: Date.parse('2026-12-07T09:01:00Z'),
      bucketSeconds: 300,
      version: 3,
    });
  });

  it.each([
    [{ from: 'yesterday' }, 'INVALID_TIME_RANGE'],
    [{ to: '2026-12-07T10:00:00' }, 'INVALID_TIME_RANGE'], // no zone: which instant is it?
    [{ from: '2026-12-07T10:00:00Z', to: '2026-12-07T09:00:00Z' }, 'INVALID_TIME_RANGE'],
    [{ from: '2026-13-45T10:00:00Z' }, 'INVALID_TIME_RANGE'],
    [{ bucket: '90' }, 'INVALID_BUCKET'],
    [{ bucket: '0' }, 'INVALID_BUCKET'],
    [{ bucket: '1e3' }, 'INVALID_BUCKET'],
    [{ bucket: '172800' }, 'INVALID_BUCKET'],
    [{ from: '2026-11-01T00:00:00Z' }, 'INVALID_BUCKET'], // 36 days in minutes: too many points
    [{ version: '0' }, 'INVALID_VERSION'],
    [{ version: 'v2' }, 'INVALID_VERSION'],
  ])('refuses %j with %s', (query, code) => {
    expect(parseTrafficStatsQuery(query, NOW)).toMatchObject({ code });
  });

  it('answers every bucket, the empty ones with zero requests and no rate or percentile to make up', () => {
    const range = { fromMs: Date.parse('2026-12-07T10:00:00Z'), toMs: Date.parse('2026-12-07T10:05:00Z'), bucketSeconds: 120 };
    const series = trafficSeries('m', range, new Map([
      [1, { successes: 2, errors: 1, clientErrors: 1, latency: new Map([[200, 2]]) }],
      [2, { successes: 3, errors: 0, clientErrors: 0, latency: new Map([[10, 3]]) }],
    ]));
    expect(series.points.map((p) => [p.start, p.requests, p.ratePerSecond, p.errorRate])).toEqual([
      ['2026-12-07T10:00:00.000Z', 0, 0, undefined],
      ['2026-12-07T10:02:00.000Z', 4, 4 / 120, 0.25],
      ['2026-12-07T10:04:00.000Z', 3, 3 / 60, 0], // the last bucket is cut at `to`: a rate over its 60 s
    ]);
    expect(series.points[0].latencyMs).toBeUndefined();
    expect(series.points[1].latencyMs?.p50).toBeCloseTo(1e-3 * 2 ** (200.5 / 16), 6);
  });
});
