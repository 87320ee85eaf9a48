import { Type, type Static } from '@sinclair/typebox';
import { defineMessage } from '../lib/contract-exports';
import { FeatureValue } from '../features/online-features.contracts';

/** One prediction as model-serving logs it back into the warehouse (closing the loop). */
export const PredictionLogRecord = Type.Object(
  {
    predictionId: Type.String({ minLength: 1, maxLength: 128, description: 'Unique; the warehouse deduplicates on it' }),
    requestId: Type.String({ maxLength: 128 }),
    model: Type.String({ maxLength: 64 }),
    version: Type.Integer({ minimum: 1 }),
    arm: Type.Union([Type.Literal('champion'), Type.Literal('challenger'), Type.Literal('shadow'), Type.Literal('pinned')]),
    /** Join keys when the prediction was entity-keyed, e.g. {"user_id": "u42"}. */
    entity: Type.Optional(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
    inputs: Type.Record(Type.String(), FeatureValue),
    output: Type.Number(),
    latencyMs: Type.Number({ minimum: 0 }),
    predictedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type PredictionLogRecord = Static<typeof PredictionLogRecord>;

export const IngestPredictionLogMessage = defineMessage(
  'dwh-ingest.prediction-log.v1',
  Type.Object({ records: Type.Array(PredictionLogRecord, { minItems: 1, maxItems: 5000 }) }, { additionalProperties: false }),
  Type.Object({ accepted: Type.Integer(), duplicates: Type.Integer() }, { additionalProperties: false }),
  'Durably appends prediction log records to the warehouse (idempotent by predictionId)',
);
