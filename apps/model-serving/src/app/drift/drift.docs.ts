import type { ApiContractOptions } from '@mlp/service-kit';

// The drift routes' OpenAPI documentation.

const REPORT = {
  model: 'purchase_propensity',
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
