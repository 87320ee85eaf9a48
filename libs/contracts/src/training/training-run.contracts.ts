import { Type, type Static } from '@sinclair/typebox';
import { defineContract, defineEvent, Int32 } from '../lib/contract-exports';
import { Algorithm, DataSplit, MODEL_NAME_PATTERN, PrimaryMetric, PromotionPolicy } from './model-spec.contracts';

export const TrainingRunStatus = Type.Union(
  ['queued', 'running', 'succeeded', 'failed', 'cancelled'].map((s) => Type.Literal(s)),
);
export type TrainingRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** Per-run changes to the spec (hyper-parameter sweeps, a fixed `end` for reproducing a run). */
const RunOverrides = Type.Object(
  {
    algorithm: Type.Optional(Algorithm),
    split: Type.Optional(DataSplit),
    promotion: Type.Optional(PromotionPolicy),
    primaryMetric: Type.Optional(PrimaryMetric),
    seed: Type.Optional(Int32({ minimum: 0, maximum: 2147483647 })),
    /** End of the training set (default: now minus the label delay). Fixing it makes a run repeatable. */
    end: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type RunOverrides = Static<typeof RunOverrides>;

const CreateTrainingRunSchema = Type.Object(
  {
    model: Type.String({ pattern: MODEL_NAME_PATTERN }),
    overrides: Type.Optional(RunOverrides),
    /**
     * A trial: trained and judged on the validation rows (or folds) only, never on the test rows,
     * and no registry version is created. Needs a validation share or `split.folds`.
     */
    trial: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const CreateTrainingRun = defineContract('training.CreateTrainingRun', CreateTrainingRunSchema);
export type CreateTrainingRun = Static<typeof CreateTrainingRunSchema>;

export const TrainingRunAccepted = defineContract(
  'training.TrainingRunAccepted',
  Type.Object({ id: Type.String({ format: 'uuid' }), status: TrainingRunStatus }, { additionalProperties: false }),
);

const EpochPoint = Type.Object(
  {
    epoch: Int32({ minimum: 1 }),
    loss: Type.Number(),
    valLoss: Type.Optional(Type.Number()),
    /** The primary metric on the validation part of the training window, when there is one. */
    valMetric: Type.Optional(Type.Number()),
  },
  { additionalProperties: false },
);
export type EpochPoint = Static<typeof EpochPoint>;

/** k-fold cross-validation of a run: the primary metric of each fold's model on its own fold. */
const CrossValidation = Type.Object(
  {
    metric: PrimaryMetric,
    folds: Int32({ minimum: 2 }),
    values: Type.Array(Type.Number()),
    mean: Type.Number(),
    /** Sample standard deviation over the folds. */
    std: Type.Number(),
    /** Rows in each fold (the rows that fold validated). */
    foldRows: Type.Array(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type CrossValidation = Static<typeof CrossValidation>;

const GateDecision = Type.Object(
  {
    promoted: Type.Boolean(),
    reason: Type.String(),
    code: Type.String(),
    comparedWith: Type.Union([Type.Literal('baseline'), Type.Literal('champion'), Type.Literal('none')]),
    candidate: Type.Union([Type.Number(), Type.Null()]),
    reference: Type.Union([Type.Number(), Type.Null()]),
    referenceVersion: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  },
  { additionalProperties: false },
);
export type GateDecision = Static<typeof GateDecision>;

const TrainingRunSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    model: Type.String(),
    status: TrainingRunStatus,
    trigger: Type.String(),
    /** A trial: judged on validation rows only, never registered. */
    trial: Type.Boolean(),
    /** The search this run belongs to (its trial, or the final run registering the winner). */
    searchId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    /** The algorithm (with its parameters) the run trained. */
    algorithm: Algorithm,
    /** 0..1 share of the planned epochs done. */
    progress: Type.Number({ minimum: 0, maximum: 1 }),
    attempts: Type.Integer({ minimum: 0 }),
    curves: Type.Array(EpochPoint),
    /**
     * Metrics by subject: `candidate`, `baseline`, `champion` (scored now), `reference` on the test
     * rows; `validation` (the candidate on the validation rows, what a search selects by); `train`.
     * A trial has no test-row subjects.
     */
    metrics: Type.Union([Type.Record(Type.String(), Type.Record(Type.String(), Type.Number())), Type.Null()]),
    /** Reliability diagram of the new model on the held-out window (classification only). */
    calibration: Type.Union([
      Type.Array(
        Type.Object(
          { lower: Type.Number(), upper: Type.Number(), count: Type.Integer(), meanPredicted: Type.Number(), observedRate: Type.Number() },
          { additionalProperties: false },
        ),
      ),
      Type.Null(),
    ]),
    dataset: Type.Union([
      Type.Object(
        {
          fingerprint: Type.String(),
          rows: Type.Integer(),
          trainRows: Type.Integer(),
          validationRows: Type.Integer(),
          holdoutRows: Type.Integer(),
          start: Type.String(),
          end: Type.String(),
          /** Time split: where the held-out window starts. Random split: the window's start (held-out rows span it all). */
          holdoutStart: Type.String(),
          /** How the rows were split (absent on runs from before random splits existed: a time split). */
          split: Type.Optional(Type.Union([Type.Literal('time'), Type.Literal('random')])),
          /** Random split: the seed that ordered the rows (fixed by the model's name). */
          splitSeed: Type.Optional(Type.Integer({ minimum: 0 })),
          /** k-fold cross-validation: the number of folds (the validation rows are then every fold). */
          folds: Type.Optional(Int32({ minimum: 2 })),
          /** What the trial was judged on: `validation` (or folds) for a trial, `test` for a registered run. */
          evaluatedOn: Type.Optional(Type.Union([Type.Literal('test'), Type.Literal('validation')])),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    crossValidation: Type.Union([CrossValidation, Type.Null()]),
    featureServiceVersion: Type.Union([Type.String(), Type.Null()]),
    specHash: Type.String(),
    codeVersion: Type.String(),
    backend: Type.Union([Type.String(), Type.Null()]),
    seed: Int32(),
    modelVersion: Type.Union([Int32(), Type.Null()]),
    gate: Type.Union([GateDecision, Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    startedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    durationMs: Type.Union([Type.Integer(), Type.Null()]),
  },
  { additionalProperties: false },
);
export const TrainingRun = defineContract('training.TrainingRun', TrainingRunSchema);
export type TrainingRun = Static<typeof TrainingRunSchema>;

const MoveAliasSchema = Type.Object(
  {
    alias: Type.Union([Type.Literal('champion'), Type.Literal('challenger')]),
    /** null removes the alias. */
    version: Type.Union([Int32({ minimum: 1 }), Type.Null()]),
    reason: Type.String({ minLength: 3, maxLength: 1000 }),
  },
  { additionalProperties: false },
);
/** An admin moves an alias by hand (rollback, manual promotion); recorded in the audit log. */
export const MoveAlias = defineContract('training.MoveAlias', MoveAliasSchema);
export type MoveAlias = Static<typeof MoveAliasSchema>;

/** A training run ended as failed for good (its attempts are used up): a report for the model's owners. */
export const TrainingRunFailedEvent = defineEvent(
  'training.run.failed.v1',
  Type.Object(
    {
      runId: Type.String({ format: 'uuid' }),
      model: Type.String(),
      trigger: Type.String(),
      attempts: Type.Integer({ minimum: 0 }),
      error: Type.Union([Type.String(), Type.Null()]),
      errorCode: Type.Union([Type.String(), Type.Null()]),
      at: Type.String({ format: 'date-time' }),
    },
    { additionalProperties: false },
  ),
  'A training run failed with no attempts left (webhooks only)',
  [],
  { producer: 'trainer' },
);

const RawFeatureValue = Type.Union([Type.Number(), Type.String(), Type.Boolean(), Type.Null()]);
const HoldoutPredictionsSchema = Type.Object(
  {
    runId: Type.String({ format: 'uuid' }),
    model: Type.String(),
    version: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    /** `test`: the held-out rows the gate judged; `validation`: a trial's validation rows (out-of-fold scores under k-fold). */
    part: Type.Union([Type.Literal('test'), Type.Literal('validation')]),
    /** Held-out rows of the run; at most `stored` of them were kept (the first ones, in training-set order). */
    total: Type.Integer({ minimum: 0 }),
    stored: Type.Integer({ minimum: 0 }),
    offset: Type.Integer({ minimum: 0 }),
    rows: Type.Array(
      Type.Object(
        {
          keys: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
          event_timestamp: Type.String(),
          /** The label (multiclass: the index of the row's class in the artifact's `classes`; a class unseen in training gets an index past them). */
          label: Type.Number(),
          /** The candidate's own score of this row, as the trainer computed it (multiclass: the probability of its predicted class). */
          score: Type.Number(),
          /** Multiclass: the candidate's probability of each class, in the artifact's `classes` order. */
          probabilities: Type.Optional(Type.Array(Type.Number())),
          /** The raw feature values the model was given (`view:feature` -> value; null when missing). */
          features: Type.Record(Type.String(), RawFeatureValue),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
/**
 * A run's held-out rows with the trainer's own score of each: the reference every serving route
 * must give for the same raw values, and the rows behind the gate's metrics.
 */
export const HoldoutPredictions = defineContract('training.HoldoutPredictions', HoldoutPredictionsSchema);
export type HoldoutPredictions = Static<typeof HoldoutPredictionsSchema>;
