import type { ApiContractOptions } from '@mlp/service-kit';

// The drift routes' OpenAPI documentation.

const REPORT = {
  model: 'churn',
  version: 2,
  baseline: 'training',
  window: 1000,
  warnThreshold: 0.1,
  driftThreshold: 0.25,
  features: [
    { feature: 'user_activity:page_views_7d', psi: 0.34, observations: 1000, status: 'drift', source: 'training' },
    { feature: 'user_activity:orders_7d', psi: 0.04, observations: 1000, status: 'ok', source: 'training' },
    { feature: 'user_profile:country', psi: null, observations: 12, status: 'insufficient_data', source: 'training' },
  ],
};
const PARAMS = { model: 'A served model' };
const CODES = { 404: ['MODEL_NOT_FOUND', 'MODEL_VERSION_NOT_FOUND'], 503: ['MODEL_NOT_READY'] };

export const DRIFT_DOC: ApiContractOptions = {
  summary: 'Input drift of a served version (PSI per feature)',
  description:
    "The population stability index of each input over the last `window` live requests against the baseline (by default the training split's own histograms in the artifact; else the feature store's statistics or an explicit baseline): `ok`, `warn` (>= warnThreshold), `drift` (>= driftThreshold) or `insufficient_data`. Crossing the drift threshold publishes `model.drift.detected.v1` (the trainer may retrain). `version` defaults to the champion. Any valid token.",
  params: PARAMS,
  errors: CODES,
  example: REPORT,
};

export const SET_BASELINE_DOC: ApiContractOptions = {
  summary: 'Set an explicit drift baseline',
  description: "Replaces the baseline of a version (the champion unless `version`) with explicit histograms per feature (decile bins or categories), e.g. a known-good week; answers the report against it. Features the model does not use are refused. Scope `serving:admin`.",
  params: PARAMS,
  errors: { 400: ['VALIDATION_FAILED', 'UNKNOWN_FEATURE', 'INVALID_BASELINE'], ...CODES },
  example: { ...REPORT, baseline: 'explicit', features: REPORT.features.map((f) => ({ ...f, source: 'explicit' })) },
};

export const DRIFT_HISTORY_DOC: ApiContractOptions = {
  summary: "A served version's input drift over time: PSI per feature per time bucket",
  description:
    'PSI of each input feature in each time bucket (from `from` to `to`, ISO 8601 with a zone, default the last hour; `bucket` whole minutes in seconds, default 60, at most 1440 points) against the version\'s current baseline (the same bins and formula as `GET .../drift`), over the live inputs of every replica: each writes the bin counts it observed every TRAFFIC_STATS_FLUSH_MS to `serving.drift_minutes`, and the answer sums them. A bucket with fewer than DRIFT_MIN_OBSERVATIONS observations of a feature has its count and no `psi`. Counts taken under other baseline bins (before the baseline changed) are left out. `version` names a served version (default the champion). Any valid token.',
  params: { model: 'A served model' },
  errors: { 400: ['INVALID_TIME_RANGE', 'INVALID_BUCKET', 'INVALID_VERSION'], ...CODES },
  example: {
    model: 'warm_colour',
    version: 3,
    from: '2026-12-07T10:00:00.000Z',
    to: '2026-12-07T10:02:00.000Z',
    bucketSeconds: 60,
    minObservations: 500,
    warnThreshold: 0.1,
    driftThreshold: 0.25,
    features: [
      { feature: 'colour:hue', points: [{ start: '2026-12-07T10:00:00.000Z', observations: 1210, psi: 0.031 }, { start: '2026-12-07T10:01:00.000Z', observations: 96 }] },
    ],
  },
};
