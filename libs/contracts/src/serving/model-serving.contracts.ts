import { Type, type Static } from '@sinclair/typebox';
import { defineContract, defineEvent, defineMessage, Int32 } from '../lib/contract-exports';
import { BaselineHistogramSchema } from '../training/model-artifact.contracts';
import { FeatureStatus, FeatureValue } from '../features/online-features.contracts';

const ModelName = Type.String({ pattern: '^[a-z][a-z0-9_-]{0,62}$' });

/** Open Inference Protocol (KServe V2) tensor in a request; the data is checked against the model's signature. */
const InferInputTensor = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    shape: Type.Array(Type.Integer({ minimum: 0 }), { maxItems: 8 }),
    datatype: Type.String(),
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    data: Type.Array(Type.Unknown()),
  },
  { additionalProperties: false },
);

const InferRequestSchema = Type.Object(
  {
    id: Type.Optional(Type.String({ maxLength: 128 })),
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    inputs: Type.Array(InferInputTensor, { minItems: 1 }),
    outputs: Type.Optional(Type.Array(Type.Object({ name: Type.String(), parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())) }))),
  },
  { additionalProperties: false },
);
export const InferRequest = defineContract('serving.InferRequest', InferRequestSchema);
export type InferRequest = Static<typeof InferRequestSchema>;

const InferResponseSchema = Type.Object(
  {
    model_name: Type.String(),
    model_version: Type.String(),
    id: Type.Optional(Type.String()),
    parameters: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    outputs: Type.Array(
      Type.Object({ name: Type.String(), shape: Type.Array(Type.Integer()), datatype: Type.String(), data: Type.Array(Type.Unknown()) }),
    ),
  },
  { additionalProperties: false },
);
export const InferResponse = defineContract('serving.InferResponse', InferResponseSchema);
export type InferResponse = Static<typeof InferResponseSchema>;

/** How traffic for one model is split between champion and challenger, and how it is batched. */
const TrafficPolicySchema = Type.Object(
  {
    /** Share of sticky keys routed to the challenger (0 = champion only). */
    canaryWeight: Type.Number({ minimum: 0, maximum: 1 }),
    /** Where the sticky key comes from: the entity key, or the `x-sticky-key` header (request id when absent). */
    stickyKey: Type.Union([Type.Literal('entity'), Type.Literal('header')]),
    /** The challenger is scored on every request (and logged) but never answered. */
    shadow: Type.Boolean(),
    maxBatchSize: Type.Integer({ minimum: 1, maximum: 4096 }),
    /** Milliseconds a request may wait for others to join its batch; 0 turns batching off. */
    maxBatchDelayMs: Type.Number({ minimum: 0, maximum: 100 }),
  },
  { additionalProperties: false },
);
export const TrafficPolicy = defineContract('serving.TrafficPolicy', TrafficPolicySchema);
export type TrafficPolicy = Static<typeof TrafficPolicySchema>;
export const TrafficPolicyPatch = defineContract('serving.TrafficPolicyPatch', Type.Partial(TrafficPolicySchema, { additionalProperties: false }));
export type TrafficPolicyPatch = Partial<TrafficPolicy>;

const EntityKeys = Type.Record(
  Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' }),
  Type.Array(Type.Union([Type.String({ maxLength: 256 }), Type.Number()]), { minItems: 1, maxItems: 1000 }),
  // A pattern-keyed record checks only the keys that match: other keys must be refused.
  { additionalProperties: false },
);

const PredictEntitiesBodySchema = Type.Object(
  {
    entities: EntityKeys,
    /** Pin a version instead of following the traffic policy. */
    version: Type.Optional(Int32({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export const PredictEntitiesBody = defineContract('serving.PredictEntitiesBody', PredictEntitiesBodySchema);
export type PredictEntitiesBody = Static<typeof PredictEntitiesBodySchema>;

const EntityPredictionSchema = Type.Object(
  {
    entity: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])),
    /** The model's answer: binary, the probability; regression, the prediction; multiclass, the probability of `label`. */
    score: Type.Number(),
    /** Multiclass: the predicted class (the most probable). */
    label: Type.Optional(Type.String()),
    /** Multiclass: the probability of each class (class name -> probability). */
    probabilities: Type.Optional(Type.Record(Type.String(), Type.Number())),
    model: Type.String(),
    version: Int32(),
    arm: Type.Union([Type.Literal('champion'), Type.Literal('challenger'), Type.Literal('pinned')]),
    /** Status of every feature the model used; anything but PRESENT was filled as the preprocessing says. */
    featureStatuses: Type.Record(Type.String(), FeatureStatus),
    features: Type.Record(Type.String(), FeatureValue),
  },
  { additionalProperties: false },
);

const PredictEntitiesReplySchema = Type.Object(
  {
    model: Type.String(),
    predictions: Type.Array(EntityPredictionSchema),
    /** Rows with at least one missing or stale feature. */
    degraded: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export const PredictEntitiesReply = defineContract('serving.PredictEntitiesReply', PredictEntitiesReplySchema);
export type PredictEntitiesReply = Static<typeof PredictEntitiesReplySchema>;

/** Entity-keyed predictions over the transport, for product services that know only a user id. */
export const PredictEntitiesMessage = defineMessage(
  'model-serving.predict-entities.v1',
  Type.Object({ model: ModelName, entities: EntityKeys, version: Type.Optional(Int32({ minimum: 1 })) }, { additionalProperties: false }),
  PredictEntitiesReplySchema,
  'Scores entities by key: fetches the model features online, applies the saved preprocessing, answers scores with versions and feature statuses',
  // No platform service calls it; a product service on the transport needs a NATS user and a name here.
  { callers: [] },
);

const FeatureDriftSchema = Type.Object(
  {
    feature: Type.String(),
    psi: Type.Union([Type.Number(), Type.Null()]),
    observations: Type.Integer({ minimum: 0 }),
    status: Type.Union([Type.Literal('ok'), Type.Literal('warn'), Type.Literal('drift'), Type.Literal('insufficient_data')]),
    /** Where this feature's baseline histogram came from. */
    source: Type.Union([Type.Literal('explicit'), Type.Literal('training'), Type.Literal('feature_store'), Type.Literal('preprocessing')]),
  },
  { additionalProperties: false },
);

const DriftReportSchema = Type.Object(
  {
    model: Type.String(),
    version: Int32(),
    /**
     * Where the baseline came from: set through the API, the feature store's materialization
     * statistics (histograms), or derived from the preprocessing fit on the training split.
     */
    baseline: Type.Union([Type.Literal('explicit'), Type.Literal('training'), Type.Literal('feature_store'), Type.Literal('preprocessing')]),
    window: Type.Integer({ minimum: 1 }),
    warnThreshold: Type.Number(),
    driftThreshold: Type.Number(),
    features: Type.Array(FeatureDriftSchema),
  },
  { additionalProperties: false },
);
export const DriftReport = defineContract('serving.DriftReport', DriftReportSchema);
export type DriftReport = Static<typeof DriftReportSchema>;

export const DriftBaseline = defineContract('serving.DriftBaseline', Type.Object({ features: Type.Array(BaselineHistogramSchema, { minItems: 1 }) }, { additionalProperties: false }));
export type DriftBaseline = Static<typeof DriftBaseline.schema>;

/** Live inputs of a model moved away from its training baseline (PSI over the sliding window). */
export const ModelDriftDetectedEvent = defineEvent(
  'model.drift.detected.v1',
  Type.Object(
    {
      model: Type.String(),
      version: Int32({ minimum: 1 }),
      features: Type.Array(Type.Object({ feature: Type.String(), psi: Type.Number() }, { additionalProperties: false }), { minItems: 1 }),
      threshold: Type.Number(),
      window: Type.Integer({ minimum: 1 }),
      at: Type.String({ format: 'date-time' }),
    },
    { additionalProperties: false },
  ),
  'Input drift (PSI) of a served model crossed the threshold; the trainer may retrain',
  ['trainer'],
  { producer: 'model-serving' },
);

/** Where the entities of a batch job come from: a published mart (and its key column), or a read-only SELECT. */
const BatchSourceSchema = Type.Union([
  Type.Object(
    {
      mart: Type.String({ pattern: '^mart_[a-z0-9_]{1,58}$', description: 'A published mart in schema dwh' }),
      key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$', description: 'The join key column, e.g. user_id' }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      sql: Type.String({ minLength: 8, maxLength: 4000, description: 'A single SELECT whose first column is the entity key (run read-only)' }),
      key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$', description: 'The join key name the feature store expects, e.g. user_id' }),
    },
    { additionalProperties: false },
  ),
]);

/**
 * The names of batch results tables in the warehouse schema `dwh`: model-serving writes them, and
 * dwh-ingest reserves the prefix (no model may take it) and lets warehouse models read them.
 */
export const BATCH_RESULTS_TABLE_PATTERN = '^scores_[a-z0-9_]{1,56}$';

/**
 * Where a batch job's scores land in the warehouse: the table `dwh.<table>` (names start with
 * `scores_`, a prefix of the warehouse reserved for batch results) and what each run does to it.
 */
const BatchResultsTargetSchema = Type.Object(
  {
    table: Type.String({ minLength: 1, maxLength: 63, description: 'dwh table for the results: ^scores_[a-z0-9_]{1,56}$ (400 INVALID_RESULTS_TABLE otherwise)' }),
    mode: Type.Union([Type.Literal('create'), Type.Literal('append'), Type.Literal('replace')], {
      description: 'create: the table must not exist yet (409 RESULTS_TABLE_EXISTS), then each run adds its rows; append: created if missing, each run adds its rows; replace: created if missing, each finished run replaces every row',
    }),
  },
  { additionalProperties: false },
);
export type BatchResultsTarget = Static<typeof BatchResultsTargetSchema>;

/** Which feature values a batch job scores: the online store now, or the offline history as of a stated time (point-in-time). */
const BatchFeaturesSchema = Type.Union([
  Type.Object({ mode: Type.Literal('online') }, { additionalProperties: false }),
  Type.Object(
    { mode: Type.Literal('point_in_time'), asOf: Type.String({ format: 'date-time', description: 'Every entity is scored with its feature values as of this time (the feature store\'s point-in-time retrieval)' }) },
    { additionalProperties: false },
  ),
]);
export type BatchFeatures = Static<typeof BatchFeaturesSchema>;

const CreateBatchJobSchema = Type.Object(
  {
    model: ModelName,
    /** A fixed version; the champion at the start of each run otherwise. */
    version: Type.Optional(Int32({ minimum: 1 })),
    source: BatchSourceSchema,
    chunkSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
    /** Cron expression (UTC): the job runs again on this schedule. */
    schedule: Type.Optional(Type.String({ minLength: 9, maxLength: 100 })),
    /** The warehouse table of the results; `{table: 'scores_<model>', mode: 'replace'}` when absent. */
    results: Type.Optional(BatchResultsTargetSchema),
    /** Online features when absent. */
    features: Type.Optional(BatchFeaturesSchema),
  },
  { additionalProperties: false },
);
export const CreateBatchJob = defineContract('serving.CreateBatchJob', CreateBatchJobSchema);
export type CreateBatchJob = Static<typeof CreateBatchJobSchema>;

const BatchJobSchema = Type.Object(
  {
    id: Type.String(),
    model: Type.String(),
    version: Type.Union([Int32(), Type.Null()]),
    source: BatchSourceSchema,
    chunkSize: Type.Integer(),
    schedule: Type.Union([Type.String(), Type.Null()]),
    status: Type.Union(['queued', 'running', 'succeeded', 'failed', 'scheduled', 'cancelled'].map((s) => Type.Literal(s))),
    run: Type.Integer({ description: 'Run number; predictions are stored per run' }),
    scored: Type.Integer(),
    chunks: Type.Integer(),
    cursor: Type.Union([Type.String(), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
    nextRunAt: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
    startedAt: Type.Union([Type.String(), Type.Null()]),
    finishedAt: Type.Union([Type.String(), Type.Null()]),
    results: BatchResultsTargetSchema,
    features: BatchFeaturesSchema,
  },
  { additionalProperties: false },
);
export const BatchJob = defineContract('serving.BatchJob', BatchJobSchema);
export type BatchJob = Static<typeof BatchJobSchema>;

export const BatchResultsQuery = defineContract(
  'serving.BatchResultsQuery',
  Type.Object(
    {
      run: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,8}$', description: "The run; the job's current run when absent" })),
      entity: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Only this entity key' })),
      limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: '1..1000, default 100' })),
      cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'nextCursor of the previous page' })),
    },
    { additionalProperties: false },
  ),
);
export type BatchResultsQuery = Static<typeof BatchResultsQuery.schema>;

const BatchResultSchema = Type.Object(
  {
    entity: Type.Record(Type.String(), Type.String(), { description: "The entity's key, e.g. {\"user_id\": \"u42\"}" }),
    model: Type.String(),
    version: Int32(),
    score: Type.Number({ description: 'The first output of the model' }),
    outputs: Type.Array(Type.Number(), { description: 'Every output of the row, in the model\'s output order' }),
    asOf: Type.String({ format: 'date-time', description: 'When the features were taken: the stated time, or the scoring time for online features' }),
    scoredAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type BatchResult = Static<typeof BatchResultSchema>;

export const BatchResultsPage = defineContract(
  'serving.BatchResultsPage',
  Type.Object(
    {
      job: Type.String(),
      run: Type.Integer(),
      items: Type.Array(BatchResultSchema),
      nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Null on the last page' }),
    },
    { additionalProperties: false },
  ),
);
export type BatchResultsPage = Static<typeof BatchResultsPage.schema>;

/** One time bucket of a served model's requests (all replicas, every arm that answers; shadow scoring is not a request). */
const TrafficStatsPointSchema = Type.Object(
  {
    /** Start of the bucket; it covers [start, start + bucketSeconds). */
    start: Type.String({ format: 'date-time' }),
    /** Requests answered or failed: successes + errors + clientErrors. */
    requests: Type.Integer({ minimum: 0 }),
    /** Failed requests the server is to blame for (5xx). */
    errors: Type.Integer({ minimum: 0 }),
    /** Failed requests the client is to blame for (4xx): not counted in errorRate. */
    clientErrors: Type.Integer({ minimum: 0 }),
    ratePerSecond: Type.Number({ minimum: 0 }),
    /** errors / requests; absent in a bucket without requests. */
    errorRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    /** Model latency percentiles of the answered requests (as model_infer_duration_seconds measures it); absent when none was answered. */
    latencyMs: Type.Optional(Type.Object({ p50: Type.Number(), p95: Type.Number(), p99: Type.Number() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

const TrafficStatsSchema = Type.Object(
  {
    model: Type.String(),
    /** Only this version's requests, when asked for. */
    version: Type.Optional(Int32({ minimum: 1 })),
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    bucketSeconds: Type.Integer({ minimum: 60 }),
    /** Largest relative error of a latency percentile (they are read from log-scale histograms that add up across replicas). */
    latencyRelativeError: Type.Number(),
    points: Type.Array(TrafficStatsPointSchema),
  },
  { additionalProperties: false },
);
export const TrafficStats = defineContract('serving.TrafficStats', TrafficStatsSchema);
export type TrafficStats = Static<typeof TrafficStatsSchema>;
export type TrafficStatsPoint = Static<typeof TrafficStatsPointSchema>;

/** PSI per input feature per time bucket, against the version's baseline, over every replica's live inputs. */
const DriftHistorySchema = Type.Object(
  {
    model: Type.String(),
    version: Int32({ minimum: 1 }),
    from: Type.String({ format: 'date-time' }),
    to: Type.String({ format: 'date-time' }),
    bucketSeconds: Type.Integer({ minimum: 60 }),
    /** A bucket needs this many observations of a feature for a PSI (DRIFT_MIN_OBSERVATIONS). */
    minObservations: Type.Integer({ minimum: 1 }),
    warnThreshold: Type.Number(),
    driftThreshold: Type.Number(),
    features: Type.Array(
      Type.Object(
        {
          feature: Type.String(),
          points: Type.Array(
            Type.Object(
              {
                start: Type.String({ format: 'date-time' }),
                observations: Type.Integer({ minimum: 0 }),
                /** Absent when the bucket has fewer than minObservations. */
                psi: Type.Optional(Type.Number({ minimum: 0 })),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export const DriftHistory = defineContract('serving.DriftHistory', DriftHistorySchema);
export type DriftHistory = Static<typeof DriftHistorySchema>;
