import { Type, type Static, type TNumber } from '@sinclair/typebox';
import { defineMessage, Int32 } from '../lib/contract-exports';

/** One calibration bin: predictions with `lower <= score < upper` (the last bin includes 1). */
export const CalibrationBin = Type.Object(
  {
    bin: Type.Integer({ minimum: 1 }),
    lower: Type.Number(),
    upper: Type.Number(),
    count: Type.Integer({ minimum: 1 }),
    meanPredicted: Type.Number(),
    observedRate: Type.Number({ minimum: 0, maximum: 1 }),
  },
  { additionalProperties: false },
);
export type CalibrationBin = Static<typeof CalibrationBin>;

const Nullable = (schema: TNumber) => Type.Union([schema, Type.Null()]);

/**
 * Live quality of one model version in one traffic arm, from predictions whose outcome is known
 * (`dwh.prediction_outcomes`, labelled by the model's applied outcome). With binary labels (every
 * label 0 or 1): positives, AUC, log loss, Brier and calibration. With numeric labels: RMSE and MAE
 * (the binary figures are then 0, null and empty).
 */
export const LiveQualityGroup = Type.Object(
  {
    version: Int32({ minimum: 1 }),
    arm: Type.String(),
    /** Predictions made in the window (labelled or not). */
    predictions: Type.Integer({ minimum: 0 }),
    /** Of those, predictions with a known outcome (entity-keyed, and older than the outcome's horizon when it has one). */
    labelled: Type.Integer({ minimum: 0 }),
    positives: Type.Integer({ minimum: 0 }),
    positiveRate: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
    /** Mann-Whitney AUC (ties count one half); null unless both classes occur. */
    auc: Nullable(Type.Number({ minimum: 0, maximum: 1 })),
    /** Mean binary cross-entropy, scores clipped to [1e-15, 1 - 1e-15]. */
    logLoss: Nullable(Type.Number({ minimum: 0 })),
    /** Mean squared error of the score against the 0/1 outcome. */
    brier: Nullable(Type.Number({ minimum: 0 })),
    /** Non-empty bins only, ascending. */
    calibration: Type.Array(CalibrationBin),
    /** Root mean squared error of the score against the label (any label kind). Optional: absent from older warehouses. */
    rmse: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
    /** Mean absolute error of the score against the label. */
    mae: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
    /** Mean label of the labelled predictions (the positive rate for binary labels). */
    meanLabel: Type.Optional(Nullable(Type.Number())),
  },
  { additionalProperties: false },
);
export type LiveQualityGroup = Static<typeof LiveQualityGroup>;

export const LiveQualityOutcome = Type.Object(
  {
    project: Type.String(),
    keys: Type.Array(Type.String()),
    labelColumn: Type.String(),
    timestampColumn: Type.Union([Type.String(), Type.Null()]),
    /** e.g. 7d; null without a time column (labelled as soon as an outcome row exists). */
    horizon: Type.Union([Type.String(), Type.Null()]),
    aggregate: Type.String(),
    default: Type.Union([Type.Number(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type LiveQualityOutcome = Static<typeof LiveQualityOutcome>;

export const LiveQualityReport = Type.Object(
  {
    model: Type.String(),
    windowHours: Type.Integer({ minimum: 1 }),
    /** Predictions made in (windowStart, windowEnd] are considered. */
    windowStart: Type.String({ format: 'date-time' }),
    windowEnd: Type.String({ format: 'date-time' }),
    /** The outcome's label column (what the predictions are scored against). */
    label: Type.String(),
    bins: Type.Integer({ minimum: 2 }),
    /** When the model's labels were last refreshed (null before the first refresh): the figures are as fresh as that. */
    martUpdatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    /** binary: every label of the model is 0 or 1; numeric: otherwise; null: no label yet. */
    labelKind: Type.Optional(Type.Union([Type.Literal('binary'), Type.Literal('numeric'), Type.Null()])),
    /** The outcome that labels the model. */
    outcome: Type.Optional(LiveQualityOutcome),
    groups: Type.Array(LiveQualityGroup),
  },
  { additionalProperties: false },
);
export type LiveQualityReport = Static<typeof LiveQualityReport>;

export const LIVE_QUALITY_MAX_WINDOW_HOURS = 24 * 366;

export const LiveQualityMessage = defineMessage(
  'dwh-ingest.live-quality.v1',
  Type.Object(
    {
      model: Type.String({ minLength: 1, maxLength: 64 }),
      windowHours: Type.Integer({ minimum: 1, maximum: LIVE_QUALITY_MAX_WINDOW_HOURS }),
      version: Type.Optional(Int32({ minimum: 1 })),
      /** Calibration bins of equal width over [0, 1]; 10 when absent. */
      bins: Type.Optional(Type.Integer({ minimum: 2, maximum: 50 })),
    },
    { additionalProperties: false },
  ),
  LiveQualityReport,
  'Live model quality per version and arm over a window, from the predictions its outcome labelled (dwh.prediction_outcomes): AUC, log loss, Brier, calibration for binary labels, RMSE and MAE for any; a model without an outcome is a 404 NO_OUTCOME',
  { callers: ['model-serving'] },
);
