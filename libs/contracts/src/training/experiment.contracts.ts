import { Type, type Static } from '@sinclair/typebox';
import { defineContract, Int32 } from '../lib/contract-exports';
import { MODEL_NAME_PATTERN, PrimaryMetric, SearchPlanSchema } from './model-spec.contracts';
import { TrainingRun, TrainingRunStatus } from './training-run.contracts';

const CreateSearchSchema = Type.Object(
  {
    model: Type.String({ pattern: MODEL_NAME_PATTERN }),
    /** The search to run; absent: the one declared in the model's spec (`search`). */
    plan: Type.Optional(SearchPlanSchema),
    /** End of every trial's training set (default: now minus the label delay, fixed once for all trials). */
    end: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
/** `POST /v1/searches`: a hyperparameter search of a declared model. */
export const CreateSearch = defineContract('training.CreateSearch', CreateSearchSchema);
export type CreateSearch = Static<typeof CreateSearchSchema>;

export const SearchStatus = Type.Union(['running', 'registering', 'succeeded', 'failed', 'cancelled'].map((s) => Type.Literal(s)));
export type SearchStatus = 'running' | 'registering' | 'succeeded' | 'failed' | 'cancelled';

const SearchTrial = Type.Object(
  {
    index: Int32({ minimum: 0 }),
    runId: Type.String({ format: 'uuid' }),
    status: TrainingRunStatus,
    /** The parameters this trial set (over the spec's algorithm). */
    params: Type.Record(Type.String(), Type.Unknown()),
    /** The primary metric on the validation rows (the mean over folds under k-fold): what selects the winner. */
    validationMetric: Type.Union([Type.Number(), Type.Null()]),
    metrics: Type.Union([Type.Record(Type.String(), Type.Record(Type.String(), Type.Number())), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

const SearchSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    model: Type.String(),
    /**
     * `running` (trials queued or training), `registering` (the winner retrains as a normal run and
     * goes through the gate), `succeeded`, `failed` (no trial succeeded, or the final run failed), `cancelled`.
     */
    status: SearchStatus,
    plan: SearchPlanSchema,
    /** The seed of the random draws. */
    seed: Int32(),
    metric: PrimaryMetric,
    /** `max`: higher is better (AUC, F1); `min`: lower is better (log loss, RMSE, MAE). */
    direction: Type.Union([Type.Literal('max'), Type.Literal('min')]),
    /** No trial starts after this (from `budget.maxSeconds`); null: no time budget. */
    deadline: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    trials: Type.Array(SearchTrial),
    winner: Type.Union([
      Type.Object(
        { index: Int32({ minimum: 0 }), runId: Type.String({ format: 'uuid' }), params: Type.Record(Type.String(), Type.Unknown()), validationMetric: Type.Number() },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    /** The winner retrained as a normal run: one registry version, judged by the gate on the test rows. */
    finalRun: Type.Union([
      Type.Object(
        {
          runId: Type.String({ format: 'uuid' }),
          status: TrainingRunStatus,
          modelVersion: Type.Union([Int32(), Type.Null()]),
          gate: TrainingRun.schema.properties.gate,
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    error: Type.Union([Type.String(), Type.Null()]),
    errorCode: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
    finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
);
/** A search as `GET /v1/searches/{id}` shows it: its trials side by side and, once done, the winner. */
export const Search = defineContract('training.Search', SearchSchema);
export type Search = Static<typeof SearchSchema>;

/** A run in a comparison: the run's own fields (as `GET /v1/training-runs/{id}` has them) plus its split and data fingerprint. */
const ComparedRun = Type.Object(
  {
    ...Type.Pick(TrainingRun.schema, ['id', 'model', 'status', 'trial', 'searchId', 'algorithm', 'seed', 'backend', 'codeVersion', 'specHash', 'metrics', 'crossValidation', 'curves', 'modelVersion', 'gate']).properties,
    split: Type.Record(Type.String(), Type.Unknown()),
    dataFingerprint: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

const RunComparisonSchema = Type.Object(
  {
    runs: Type.Array(ComparedRun),
    /** Dotted paths of what differs between the runs among `algorithm.*`, `split.*`, `seed`, `backend`, `codeVersion`, `dataFingerprint`. */
    differences: Type.Array(Type.String()),
    /** Metric names present for every run, per subject (`validation.auc`, `candidate.auc`, ...), for a table. */
    commonMetrics: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
/** `GET /v1/runs/compare?ids=`: runs side by side, in the order asked. */
export const RunComparison = defineContract('training.RunComparison', RunComparisonSchema);
export type RunComparison = Static<typeof RunComparisonSchema>;
