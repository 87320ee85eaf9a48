import { Type, type Static } from '@sinclair/typebox';
import { defineContract, Int32 } from '../lib/contract-exports';

/** Model names double as registry keys and URL segments; the same rule as `ModelVersionRef.model`. */
export const MODEL_NAME_PATTERN = '^[a-z][a-z0-9_-]{0,62}$';
/** A feature service name in the feature store's registry. */
export const FEATURE_SERVICE_PATTERN = '^[a-z][a-z0-9_]{0,62}$';
/** A column the label source returns (join keys, label, reference score). */
export const COLUMN_PATTERN = '^[a-z_][a-z0-9_]{0,62}$';

/**
 * What a model predicts. `multiclass_classification`: the label column holds a class (a string or
 * an integer); the classes are learnt from the training split, ordered deterministically (integers
 * numerically when every class is one, otherwise by code unit) and recorded in the artifact
 * (`classes`); the model answers one probability per class.
 */
export const ModelTask = Type.Union([Type.Literal('binary_classification'), Type.Literal('multiclass_classification'), Type.Literal('regression')]);
export type ModelTask = Static<typeof ModelTask>;

/**
 * The metric the gate judges on. Binary: auc, log_loss, f1. Multiclass: accuracy, macro_f1 (the
 * unweighted mean of the per-class F1) and log_loss (the multiclass cross-entropy). Regression:
 * rmse, mae.
 */
export const PrimaryMetric = Type.Union([
  Type.Literal('auc'),
  Type.Literal('log_loss'),
  Type.Literal('f1'),
  Type.Literal('accuracy'),
  Type.Literal('macro_f1'),
  Type.Literal('rmse'),
  Type.Literal('mae'),
]);
export type PrimaryMetric = Static<typeof PrimaryMetric>;

const EarlyStopping = Type.Object(
  {
    /** Epochs without improvement of the validation loss before training stops. */
    patience: Type.Integer({ minimum: 1, maximum: 100 }),
    minDelta: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);

const Optimisation = {
  epochs: Type.Integer({ minimum: 1, maximum: 1000 }),
  batchSize: Type.Integer({ minimum: 1, maximum: 65536 }),
  learningRate: Type.Number({ exclusiveMinimum: 0, maximum: 10 }),
  /** L2 penalty on the weights. */
  l2: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
  earlyStopping: Type.Optional(EarlyStopping),
};

export const Algorithm = Type.Union([
  /** The proof of concept every trained model must beat: the training prior (or mean). */
  Type.Object({ kind: Type.Literal('baseline') }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('logistic_regression'), ...Optimisation }, { additionalProperties: false }),
  Type.Object(
    {
      kind: Type.Literal('mlp'),
      hiddenUnits: Type.Array(Type.Integer({ minimum: 1, maximum: 4096 }), { minItems: 1, maxItems: 8 }),
      dropout: Type.Number({ minimum: 0, maximum: 0.9 }),
      activation: Type.Optional(Type.Union([Type.Literal('relu'), Type.Literal('tanh'), Type.Literal('elu')])),
      ...Optimisation,
    },
    { additionalProperties: false },
  ),
  /**
   * A random forest (bagged CART trees, trained by the runtime's histogram CART) over the model
   * vector: the tabular workhorse, for interactions a linear model cannot see. Each tree sees a
   * bootstrap sample of the rows and a random share of the columns; a binary forest answers the mean
   * of its leaves' class-1 shares, a regression forest the mean of its leaves' values.
   */
  Type.Object(
    {
      kind: Type.Literal('random_forest'),
      /** Number of trees (default 100). */
      nEstimators: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
      /** Depth of the deepest split (default 8); deeper trees fit more and make a larger artifact. */
      maxDepth: Type.Optional(Type.Integer({ minimum: 1, maximum: 16 })),
      /** Share of the model vector's columns each tree may split on, drawn per tree (default 1: all). */
      maxFeatures: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
      /** A node with fewer training rows than this is a leaf (default 10). */
      minSamplesSplit: Type.Optional(Type.Integer({ minimum: 2, maximum: 100000 })),
    },
    { additionalProperties: false },
  ),
  /**
   * A rule a person writes over the model's raw numeric and boolean features, e.g. `r > g > b`
   * (comparisons chain as in Python), `x > 0.5 && !flag ? 0.9 : 0.1`, `3 * n + 0.5 * gap`:
   * numbers, `true`/`false`, feature names (`feature` when the name is unique among the model's
   * inputs, else `view__feature`), `+ - * / %`, comparisons, `&& || !` and `?:`. Nothing else is
   * accepted (no calls, member access, strings, assignment). A binary rule's value, clamped to
   * [0, 1], is the probability (true = 1); a regression rule's value is the prediction. Parsed with
   * `jsep` and evaluated by the runtime's own evaluator, never `eval`.
   */
  Type.Object({ kind: Type.Literal('rule'), expression: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
]);
export type Algorithm = Static<typeof Algorithm>;

export const LabelSource = Type.Object(
  {
    /**
     * SQL over the published marts (`dwh.*`) returning the join keys, `event_timestamp` and the label.
     * The feature store runs it read-only and keeps the rows with `start <= event_timestamp < end`.
     */
    sql: Type.String({ minLength: 10, maxLength: 20000 }),
    joinKeys: Type.Array(Type.String({ pattern: COLUMN_PATTERN }), { minItems: 1, maxItems: 8 }),
    labelColumn: Type.String({ pattern: COLUMN_PATTERN }),
    /**
     * Days after an event before its label is final (a 7-day purchase window needs 7): rows newer
     * than that are left out, otherwise the freshest window is full of false negatives.
     */
    labelDelayDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
    /**
     * Optional column with a known score for each row (e.g. the demo generator's true purchase
     * probability). Never used as a feature; its metric on the held-out window is shown on the run.
     */
    referenceScoreColumn: Type.Optional(Type.String({ pattern: COLUMN_PATTERN })),
  },
  { additionalProperties: false },
);
export type LabelSource = Static<typeof LabelSource>;

/** Time-based split: the most recent window is held out; a random split of time data leaks the future. */
export const TimeSplit = Type.Object(
  {
    /** `time` (the default when absent). */
    kind: Type.Optional(Type.Literal('time')),
    /** How far back the training set reaches from its end. */
    lookbackDays: Type.Integer({ minimum: 1, maximum: 3650 }),
    /** The most recent days, held out for evaluation and the promotion gate. */
    holdoutDays: Type.Integer({ minimum: 1, maximum: 365 }),
    /** Share of the training window (its most recent part) used for early stopping. */
    validationFraction: Type.Optional(Type.Number({ minimum: 0, maximum: 0.5 })),
  },
  { additionalProperties: false },
);
export type TimeSplit = Static<typeof TimeSplit>;

/**
 * Seeded random split, for data without a meaningful time (a static labelled table): a test share
 * held out for the gate and a validation share for early stopping, drawn per class when
 * stratified. The same rows and seed always give the same split, so a candidate and the champion
 * are judged on the same test rows.
 */
export const RandomSplit = Type.Object(
  {
    kind: Type.Literal('random'),
    /** Share of the rows held out as the test set (evaluation and the promotion gate). */
    testFraction: Type.Number({ minimum: 0.05, maximum: 0.5 }),
    /** Share of the remaining rows used for early stopping (never for the gate). */
    validationFraction: Type.Optional(Type.Number({ minimum: 0, maximum: 0.5 })),
    /**
     * k-fold cross-validation of the rows left after the test share (small data): each fold in turn
     * validates a model trained on the others; the run reports the mean and spread of the primary
     * metric over the folds, then trains the final model on all of them (the test share stays held
     * out for the gate). Replaces `validationFraction` (give one or the other).
     */
    folds: Type.Optional(Type.Integer({ minimum: 2, maximum: 20 })),
    /** Keep each class's share in every part (classification; the default there). */
    stratify: Type.Optional(Type.Boolean()),
    /** How far back label rows are read from the run's end (default: all of them). */
    lookbackDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 36500 })),
  },
  { additionalProperties: false },
);
export type RandomSplit = Static<typeof RandomSplit>;

/**
 * One parameter's candidates in a search: a list of values, or a numeric range (`min`..`max`,
 * `scale: log` for rates and penalties). A grid takes `count` evenly spaced points of a range
 * (default 3); a random search draws from it. Integer parameters are rounded.
 */
export const SearchRange = Type.Union([
  Type.Object({ values: Type.Array(Type.Unknown(), { maxItems: 100 }) }, { additionalProperties: false }),
  Type.Object(
    {
      min: Type.Number(),
      max: Type.Number(),
      scale: Type.Optional(Type.Union([Type.Literal('linear'), Type.Literal('log')])),
      count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    },
    { additionalProperties: false },
  ),
]);
export type SearchRange = Static<typeof SearchRange>;

/** A hyperparameter search over the algorithm's parameters (`POST /v1/searches`, or declared in the spec). */
export const SearchPlanSchema = Type.Object(
  {
    strategy: Type.Union([Type.Literal('grid'), Type.Literal('random')]),
    /** Parameter of the spec's algorithm (e.g. `learningRate`, `l2`, `hiddenUnits`) -> its candidates. */
    parameters: Type.Record(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9]{0,63}$' }), SearchRange),
    /** At least one of them. A grid with more points than `maxTrials` is refused; after `maxSeconds` no new trial starts. */
    budget: Type.Object(
      {
        maxTrials: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
        maxSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 604800 })),
      },
      { additionalProperties: false },
    ),
    /** Seed of the random draws (default: the spec's seed); every trial trains with the spec's seed. */
    seed: Type.Optional(Int32({ minimum: 0, maximum: 2147483647 })),
  },
  { additionalProperties: false },
);
export type SearchPlan = Static<typeof SearchPlanSchema>;

/** How a training set is split into training, validation and held-out rows. */
export const DataSplit = Type.Union([TimeSplit, RandomSplit]);
export type DataSplit = Static<typeof DataSplit>;

export const PromotionPolicy = Type.Object(
  {
    /** The candidate must beat the champion's primary metric by at least this much (metric units). */
    minAbsoluteImprovement: Type.Optional(Type.Number({ minimum: 0 })),
    /** ... or by at least this share of the champion's value (0.01 = 1 %). Both apply when both are set. */
    minRelativeImprovement: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
    /** Fewer held-out rows than this and the gate refuses: too little evidence. */
    minEvalRows: Int32({ minimum: 1 }),
  },
  { additionalProperties: false },
);
export type PromotionPolicy = Static<typeof PromotionPolicy>;

export const ModelSchedule = Type.Object(
  {
    /** Five-field cron (UTC unless `timezone`). Missed occurrences are not stacked: only the latest runs. */
    cron: Type.String({ minLength: 9, maxLength: 100 }),
    timezone: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type ModelSchedule = Static<typeof ModelSchedule>;

export const RetrainTriggers = Type.Object(
  {
    /** Retrain when the warehouse publishes a refresh of one of these marts (`dwh.mart.refreshed.v1`). */
    martsRefreshed: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*$' }), { maxItems: 20 })),
    /** Retrain when serving reports input or quality drift for this model (`model.drift.detected.v1`). */
    onDrift: Type.Optional(Type.Boolean()),
    /**
     * At most one event-triggered run per this many minutes (0 or absent: no limit). A history
     * arriving in pieces refreshes a mart many times, and drift keeps being reported while it lasts;
     * neither should turn into a run per event. Explicit and scheduled runs are not limited.
     */
    minIntervalMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10080 })),
  },
  { additionalProperties: false },
);

const ModelSpecSchema = Type.Object(
  {
    name: Type.String({ pattern: MODEL_NAME_PATTERN }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    tags: Type.Optional(Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 256 }))),
    featureService: Type.String({ pattern: FEATURE_SERVICE_PATTERN }),
    labelSource: LabelSource,
    task: ModelTask,
    algorithm: Algorithm,
    primaryMetric: PrimaryMetric,
    split: DataSplit,
    promotion: PromotionPolicy,
    schedule: Type.Optional(ModelSchedule),
    triggers: Type.Optional(RetrainTriggers),
    /** Seed of every random choice (initialisers, shuffling, dropout): same data + seed = same model. */
    seed: Type.Optional(Int32({ minimum: 0, maximum: 2147483647 })),
    /** The model's declared hyperparameter search, run by `POST /v1/searches {model}` (`mlp search <model>`). */
    search: Type.Optional(SearchPlanSchema),
  },
  { additionalProperties: false },
);
/** A declarative model: what to train, on which data, how to judge it and when to retrain it. */
export const ModelSpec = defineContract('training.ModelSpec', ModelSpecSchema);
export type ModelSpec = Static<typeof ModelSpecSchema>;

const ModelSpecRecordSchema = Type.Object(
  {
    spec: ModelSpecSchema,
    /** The project that owns the spec (`POST /v1/model-specs/apply`); null: declared without a project. */
    project: Type.Union([Type.String(), Type.Null()]),
    specHash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export const ModelSpecRecord = defineContract('training.ModelSpecRecord', ModelSpecRecordSchema);
export type ModelSpecRecord = Static<typeof ModelSpecRecordSchema>;

/**
 * `POST /v1/model-specs/apply`: a project's model specs at once. Specs of other projects are never
 * touched; a name another project owns is a 409 naming it; `prune` removes this project's specs that
 * are not in the request.
 */
export const ModelSpecApplyRequest = defineContract(
  'training.ModelSpecApplyRequest',
  Type.Object(
    {
      project: Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$' }),
      specs: Type.Array(ModelSpecSchema, { maxItems: 500 }),
      dry_run: Type.Optional(Type.Boolean()),
      prune: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
);
export type ModelSpecApplyRequest = Static<typeof ModelSpecApplyRequest.schema>;

const SpecPlanItem = Type.Object(
  { name: Type.String(), fields: Type.Optional(Type.Array(Type.String({ description: 'Top-level spec fields that change' }))) },
  { additionalProperties: false },
);

export const ModelSpecApplyPlan = defineContract(
  'training.ModelSpecApplyPlan',
  Type.Object(
    {
      project: Type.String(),
      dry_run: Type.Boolean(),
      created: Type.Array(SpecPlanItem),
      changed: Type.Array(SpecPlanItem),
      removed: Type.Array(SpecPlanItem),
      unchanged: Type.Array(SpecPlanItem),
    },
    { additionalProperties: false },
  ),
);
export type ModelSpecApplyPlan = Static<typeof ModelSpecApplyPlan.schema>;
