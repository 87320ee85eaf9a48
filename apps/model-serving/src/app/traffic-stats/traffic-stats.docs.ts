import type { ApiContractOptions } from '@mlp/service-kit';

// The traffic statistics route's OpenAPI documentation.

export const TRAFFIC_STATS_DOC: ApiContractOptions = {
  summary: "A served model's requests, errors and latency over time",
  description:
    'Request rate, model latency percentiles (p50, p95, p99 of the answered requests, as `model_infer_duration_seconds` measures them) and error rate per time bucket, from `from` to `to` (ISO 8601 with a zone; default the last hour, taken to whole minutes), in buckets of `bucket` seconds (whole minutes, 60..86400, default 60, at most 1440 points); `version` keeps one version. Every replica writes its per-minute counts and latency histograms to `serving.traffic_minutes` every TRAFFIC_STATS_FLUSH_MS and the answer sums them, so it covers all replicas (the minute in progress lags by up to one flush). `errors` are the server\'s failures (5xx) and make `errorRate`; `clientErrors` (4xx) are counted in `requests` but not as errors. Percentiles come from log-scale histograms: within `latencyRelativeError` (2.2 %) of the exact value. Shadow scoring is not a request. Every bucket is present; `errorRate` is absent without requests, `latencyMs` without an answered request. Any valid token.',
  params: { model: 'A served model' },
  errors: { 400: ['INVALID_TIME_RANGE', 'INVALID_BUCKET', 'INVALID_VERSION'], 404: ['MODEL_NOT_FOUND'] },
  example: {
    model: 'warm_colour',
    from: '2026-12-07T10:00:00.000Z',
    to: '2026-12-07T10:03:00.000Z',
    bucketSeconds: 60,
    latencyRelativeError: 0.0219,
    points: [
      { start: '2026-12-07T10:00:00.000Z', requests: 0, errors: 0, clientErrors: 0, ratePerSecond: 0 },
      { start: '2026-12-07T10:01:00.000Z', requests: 1210, errors: 2, clientErrors: 8, ratePerSecond: 20.166667, errorRate: 0.001653, latencyMs: { p50: 0.061, p95: 0.142, p99: 0.319 } },
      { start: '2026-12-07T10:02:00.000Z', requests: 3, errors: 0, clientErrors: 3, ratePerSecond: 0.05, errorRate: 0 },
    ],
  },
};
