import type { ApiContractOptions } from '@mlp/service-kit';

// The live quality route's OpenAPI documentation.

export const LIVE_QUALITY_DOC: ApiContractOptions = {
  summary: "A served model's live quality (from the warehouse)",
  description:
    "The warehouse's figures for a model this service serves (asked from dwh-ingest over the transport): per version and arm, predictions labelled by the model's outcome, and AUC, log loss, Brier and calibration for binary labels, RMSE and MAE for numeric ones, over `window_hours` (default LIVE_QUALITY_WINDOW_HOURS); `version` keeps one version. The same figures feed the `model_live_*` gauges. A model without an outcome is 404 NO_OUTCOME. A multiclass model (the version asked, or any loaded version when none is) is 422 LIVE_QUALITY_UNSUPPORTED_TASK: its log records predicted class indices, which these figures cannot read. Any valid token.",
  params: { model: 'A served model with an outcome' },
  errors: { 400: ['INVALID_WINDOW', 'INVALID_VERSION'], 404: ['MODEL_NOT_FOUND', 'NO_OUTCOME'], 422: ['LIVE_QUALITY_UNSUPPORTED_TASK'], 503: ['DEPENDENCY_UNAVAILABLE'] },
  example: {
    model: 'warm_colour',
    windowHours: 168,
    windowStart: '2026-11-30T10:00:00.000Z',
    windowEnd: '2026-12-07T10:00:00.000Z',
    label: 'is_warm',
    bins: 10,
    martUpdatedAt: '2026-12-07T10:00:00.412Z',
    labelKind: 'binary',
    outcome: { project: 'warm-colours', keys: ['colour_id'], labelColumn: 'is_warm', timestampColumn: null, horizon: null, aggregate: 'max', default: null },
    groups: [
      {
        version: 1,
        arm: 'champion',
        predictions: 2,
        labelled: 2,
        positives: 1,
        positiveRate: 0.5,
        auc: 1,
        logLoss: 0.0006,
        brier: 0.0000005,
        calibration: [
          { bin: 1, lower: 0, upper: 0.1, count: 1, meanPredicted: 0.0008626, observedRate: 0 },
          { bin: 10, lower: 0.9, upper: 1, count: 1, meanPredicted: 0.9997068, observedRate: 1 },
        ],
        rmse: 0.0006,
        mae: 0.0006,
        meanLabel: 0.5,
      },
    ],
  },
};
