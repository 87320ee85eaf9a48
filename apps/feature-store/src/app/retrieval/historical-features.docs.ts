import type { ApiContractOptions } from '@mlp/service-kit';

// The training set route's OpenAPI documentation (see the README's "Training sets" for the wire format).

export const HISTORICAL_DOC: ApiContractOptions = {
  summary: 'Point-in-time training set, streamed as NDJSON or CSV',
  description: [
    'Joins, for each row, the feature value of the same entity with the greatest event time at or before the row\'s `event_timestamp` and within the view\'s ttl (no leakage from the future; none -> null). ',
    'Rows come from `entity_rows` (columnar join keys and event timestamps) or a `label_source` (a SELECT over `dwh.mart_*` returning the join keys, `event_timestamp` and labels, with `start <= event_timestamp < end`). ',
    'Features by `feature_service` or refs. The answer streams (chunked): `format: "ndjson"` (default) is one JSON object per row and a last `{"_metadata": {...}}` line with rows, columns, the exact `feature_refs` (view versions) and the SHA-256 `fingerprint` of the data lines; ',
    '`format: "csv"` carries the fingerprint and row count as HTTP trailers. Headers: `x-dataset-rows`, `x-dataset-columns`, `x-feature-view-versions`. A stream that breaks before the metadata must be discarded. The trainer calls this. Scope `features:read`.',
  ].join(''),
  produces: ['application/x-ndjson', 'text/csv'],
  errors: {
    400: [
      'VALIDATION_FAILED',
      'INVALID_FEATURE_REF',
      'INVALID_LABEL_SOURCE',
      'INVALID_QUERY',
      'INVALID_TIME_RANGE',
      'INVALID_TIMESTAMP',
      'TIMESTAMP_TOO_PRECISE',
      'ROWS_REQUIRED',
      'ENTITY_LENGTH_MISMATCH',
      'MISSING_JOIN_KEY',
      'UNKNOWN_JOIN_KEY',
      'WRONG_KEY_TYPE',
      'DUPLICATE_FEATURE_NAME',
      'INVALID_COLUMN_NAME',
      'SOURCE_MISSING',
    ],
    404: ['UNKNOWN_FEATURE_SERVICE', 'UNKNOWN_FEATURE_VIEW', 'UNKNOWN_FEATURE', 'UNKNOWN_FEATURE_VERSION'],
    503: ['DEPENDENCY_UNAVAILABLE'],
  },
  example: [
    '{"colour_id":"c-0007","event_timestamp":"2026-12-07T09:57:20.114+00:00","is_warm":1,"r":230,"g":120,"b":30}',
    '{"colour_id":"c-0412","event_timestamp":"2026-12-07T09:57:20.114+00:00","is_warm":0,"r":40,"g":90,"b":220}',
    '{"_metadata":{"rows":2,"columns":["colour_id","event_timestamp","is_warm","r","g","b"],"features":["r","g","b"],"feature_refs":["colour_rgb@v1:r","colour_rgb@v1:g","colour_rgb@v1:b"],"fingerprint":"sha256:3e1f0c9a7b5d2e4f6a8c0b1d3e5f7a9c2b4d6e8f0a1c3e5b7d9f2a4c6e8b0d1f","created_at":"2026-12-07T09:58:01.412Z"}}',
    '',
  ].join('\n'),
};
