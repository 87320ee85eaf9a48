import { Type, type Static } from '@sinclair/typebox';
import { defineContract, defineEvent } from '../lib/contract-exports';
import { FeatureRef, FeatureValue } from './online-features.contracts';

const ServiceRef = Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' });
const KeyValues = Type.Array(Type.Union([Type.String({ maxLength: 256 }), Type.Integer()]), { minItems: 1, maxItems: 1_000_000 });

const HistoricalFeaturesRequestSchema = Type.Object(
  {
    feature_service: Type.Optional(ServiceRef),
    features: Type.Optional(Type.Array(FeatureRef, { minItems: 1, maxItems: 500 })),
    /** Columnar entity rows: join key -> values, plus `event_timestamp` (ISO-8601); all arrays the same length. */
    entity_rows: Type.Optional(
      Type.Object(
        { event_timestamp: Type.Array(Type.String({ format: 'date-time' }), { minItems: 1, maxItems: 1_000_000 }) },
        { additionalProperties: KeyValues },
      ),
    ),
    /** Or a label source: one SELECT over `dwh.mart_*` giving the join key, `event_timestamp` and label columns. */
    label_source: Type.Optional(
      Type.Object(
        {
          sql: Type.String({ minLength: 10, maxLength: 20000 }),
          start: Type.String({ format: 'date-time' }),
          end: Type.String({ format: 'date-time' }),
        },
        { additionalProperties: false },
      ),
    ),
    format: Type.Optional(Type.Union([Type.Literal('ndjson'), Type.Literal('csv')])),
    full_feature_names: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const HistoricalFeaturesRequest = defineContract('features.HistoricalFeaturesRequest', HistoricalFeaturesRequestSchema);
export type HistoricalFeaturesRequest = Static<typeof HistoricalFeaturesRequestSchema>;

/** The last NDJSON line of a training set (also sent as HTTP trailers for CSV). */
const DatasetMetadataSchema = Type.Object(
  {
    _metadata: Type.Object(
      {
        rows: Type.Integer(),
        columns: Type.Array(Type.String()),
        features: Type.Array(Type.String()),
        /**
         * The exact view version of each feature column, `view@vN:feature`, in the order of
         * `features`: what a model trained on the set must be served. Optional: sets written
         * before view versions were immutable lack it.
         */
        feature_refs: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}@v[0-9]+:[a-z][a-z0-9_]{0,62}$' }))),
        /** `sha256:<hex>` of every byte of the body before this line. */
        fingerprint: Type.String({ pattern: '^sha256:[0-9a-f]{64}$' }),
        created_at: Type.String({ format: 'date-time' }),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export const DatasetMetadata = defineContract('features.DatasetMetadata', DatasetMetadataSchema);
export type DatasetMetadata = Static<typeof DatasetMetadataSchema>;

const PushRequestSchema = Type.Object(
  {
    feature_view: Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' }),
    to: Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('online_and_offline')]),
    /** Each row: the join key, `event_timestamp` and some or all features of the view. */
    rows: Type.Array(Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' }), FeatureValue, { additionalProperties: false }), { minItems: 1, maxItems: 10000 }),
  },
  { additionalProperties: false },
);
export const PushRequest = defineContract('features.PushRequest', PushRequestSchema);
export type PushRequest = Static<typeof PushRequestSchema>;

const MaterializeRequestSchema = Type.Object(
  {
    start: Type.String({ format: 'date-time' }),
    end: Type.String({ format: 'date-time' }),
    views: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' }), { minItems: 1, maxItems: 200 })),
  },
  { additionalProperties: false },
);
export const MaterializeRequest = defineContract('features.MaterializeRequest', MaterializeRequestSchema);
export type MaterializeRequest = Static<typeof MaterializeRequestSchema>;

const MaterializeIncrementalRequestSchema = Type.Object(
  {
    end: Type.String({ format: 'date-time' }),
    views: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' }), { minItems: 1, maxItems: 200 })),
  },
  { additionalProperties: false },
);
export const MaterializeIncrementalRequest = defineContract('features.MaterializeIncrementalRequest', MaterializeIncrementalRequestSchema);
export type MaterializeIncrementalRequest = Static<typeof MaterializeIncrementalRequestSchema>;

const MaterializationSchema = Type.Object(
  {
    id: Type.Integer(),
    view: Type.String(),
    version: Type.Integer(),
    start: Type.String({ format: 'date-time' }),
    end: Type.String({ format: 'date-time' }),
    status: Type.Union([Type.Literal('PENDING'), Type.Literal('RUNNING'), Type.Literal('SUCCEEDED'), Type.Literal('FAILED')]),
    chunks_total: Type.Integer(),
    chunks_done: Type.Integer(),
    rows_written: Type.Integer(),
    trigger: Type.String(),
    error: Type.Union([Type.String(), Type.Null()]),
    created_at: Type.String({ format: 'date-time' }),
    finished_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
);
export const Materialization = defineContract('features.Materialization', MaterializationSchema);
export type Materialization = Static<typeof MaterializationSchema>;

const FeatureStatsSchema = Type.Object(
  {
    feature: Type.String(),
    type: Type.String(),
    count: Type.Integer(),
    null_count: Type.Integer(),
    null_rate: Type.Number(),
    mean: Type.Union([Type.Number(), Type.Null()]),
    std: Type.Union([Type.Number(), Type.Null()]),
    min: Type.Union([Type.Number(), Type.Null()]),
    max: Type.Union([Type.Number(), Type.Null()]),
    /** p01, p05, p25, p50, p75, p95, p99 for numeric features. */
    quantiles: Type.Union([Type.Record(Type.String(), Type.Number()), Type.Null()]),
    /** Numeric: `edges` (n+1) and `counts` (n); strings: the top values and their counts. */
    histogram: Type.Union([
      Type.Object({ edges: Type.Array(Type.Number()), counts: Type.Array(Type.Integer()) }),
      Type.Object({ values: Type.Array(Type.String()), counts: Type.Array(Type.Integer()) }),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);
export type FeatureStats = Static<typeof FeatureStatsSchema>;

const FeatureViewStatsSchema = Type.Object(
  {
    view: Type.String(),
    version: Type.Integer(),
    materialization_id: Type.Integer(),
    computed_at: Type.String({ format: 'date-time' }),
    features: Type.Array(FeatureStatsSchema),
  },
  { additionalProperties: false },
);
export const FeatureViewStats = defineContract('features.FeatureViewStats', FeatureViewStatsSchema);
export type FeatureViewStats = Static<typeof FeatureViewStatsSchema>;

const FreshnessBreachedSchema = Type.Object(
  {
    view: Type.String(),
    version: Type.Integer(),
    /** Age of the newest online value in seconds; null when the view has no online values. */
    age_seconds: Type.Union([Type.Number(), Type.Null()]),
    sla_seconds: Type.Integer(),
    status: Type.Union([Type.Literal('BREACHED'), Type.Literal('RECOVERED')]),
    observed_at: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
/** Fired when a view's online values get older than its freshness SLA, and when they recover. */
export const FeatureFreshnessBreachedEvent = defineEvent(
  'feature-store.freshness-breached.v1',
  FreshnessBreachedSchema,
  'A feature view breached (or recovered from) its freshness SLA',
  [],
  { producer: 'feature-store' },
);
export type FeatureFreshnessBreached = Static<typeof FreshnessBreachedSchema>;
