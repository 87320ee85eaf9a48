import type { ApiContractOptions } from '@mlp/service-kit';

// The online routes' OpenAPI documentation (examples from the warm-colours project, examples/warm-colours).

export const ONLINE_DOC: ApiContractOptions = {
  summary: 'Latest feature values per entity (online store)',
  description:
    "Feast's get-online-features: the latest materialized or pushed value of each feature for each entity, in request order. Name the features by `feature_service` or by refs (`view:feature` for the current version, `view@vN:feature` pinned), and the entities by join key (`{\"colour_id\": [...]}`; every join key of the views, values of the entity's type). Each value has a status: PRESENT, NOT_FOUND (never materialized or pushed) or OUTSIDE_MAX_AGE (older than the view's ttl; the value is then null). `full_feature_names: true` names columns `view__feature`. model-serving reads the same answer over the transport. Scope `features:read`.",
  errors: {
    400: ['VALIDATION_FAILED', 'INVALID_FEATURE_REF', 'MISSING_JOIN_KEY', 'UNKNOWN_JOIN_KEY', 'WRONG_KEY_TYPE', 'DUPLICATE_FEATURE_NAME'],
    404: ['UNKNOWN_FEATURE_SERVICE', 'UNKNOWN_FEATURE_VIEW', 'UNKNOWN_FEATURE', 'UNKNOWN_FEATURE_VERSION'],
    409: ['FEATURE_VERSION_RETIRED'],
    503: ['DEPENDENCY_UNAVAILABLE'],
  },
  example: {
    metadata: { feature_names: ['colour_id', 'r', 'g', 'b'] },
    results: [
      { values: ['c-0007', 'c-0412'], statuses: ['PRESENT', 'PRESENT'], event_timestamps: [null, null] },
      { values: [230, null], statuses: ['PRESENT', 'NOT_FOUND'], event_timestamps: ['2026-12-07T09:57:20.114Z', null] },
      { values: [120, null], statuses: ['PRESENT', 'NOT_FOUND'], event_timestamps: ['2026-12-07T09:57:20.114Z', null] },
      { values: [30, null], statuses: ['PRESENT', 'NOT_FOUND'], event_timestamps: ['2026-12-07T09:57:20.114Z', null] },
    ],
  },
};

export const PUSH_DOC: ApiContractOptions = {
  summary: 'Write fresh feature rows to the online store, the offline store or both',
  description:
    "Rows of one feature view (`{colour_id, event_timestamp, r, g, b}`: every join key, an RFC 3339 `event_timestamp` with an offset, and features), `to`: `online`, `offline` (training sets see them) or `online_and_offline`. Of two rows of an entity with the same event time the later written wins, online and in training sets alike; an online value is replaced only by a newer one. Use it for features computed outside the warehouse (streaming). Scope `features:write`.",
  errors: {
    400: ['VALIDATION_FAILED', 'MISSING_JOIN_KEY', 'UNKNOWN_JOIN_KEY', 'WRONG_KEY_TYPE', 'INVALID_TIMESTAMP', 'TIMESTAMP_TOO_PRECISE'],
    404: ['UNKNOWN_FEATURE_VIEW'],
    503: ['DEPENDENCY_UNAVAILABLE'],
  },
  example: { view: 'colour_rgb', version: 1, online_written: 2, offline_written: 2 },
};
