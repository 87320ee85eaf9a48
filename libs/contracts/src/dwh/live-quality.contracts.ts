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

/** Live quality of one model version in one traffic arm, from predictions whose outcome is known. */
export const LiveQualityGroup = Type.Object(
  {
    version: Int32({ minimum: 1 }),
    arm: Type.String(),
    /** Predictions made in the window (labelled or not). */
    predictions: Type.Integer({ minimum: 0 }),
    /** Of those, predictions with a known outcome (entity-keyed and older than the label horizon). */
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
  },
  { additionalProperties: false },
);
export type LiveQualityGroup = Static<typeof LiveQualityGroup>;

export const LiveQualityReport = Type.Object(
  {
    model: Type.String(),
    windowHours: Type.Integer({ minimum: 1 }),
    /** Predictions made in (windowStart, windowEnd] are considered. */
    windowStart: Type.String({ format: 'date-time' }),
    windowEnd: Type.String({ format: 'date-time' }),
    /** What counts as a positive outcome (the mart's label). */
    label: Type.String(),
    bins: Type.Integer({ minimum: 2 }),
    /** When dwh.mart_predictions was last rebuilt (null when empty): the figures are as fresh as the mart. */
    martUpdatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
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
  'Live model quality (AUC, log loss, Brier, calibration) per version and arm over a window, from dwh.mart_predictions',
  { callers: ['model-serving'] },
);
