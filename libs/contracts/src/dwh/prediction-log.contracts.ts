import { Type, type Static } from '@sinclair/typebox';
import { defineContract, defineMessage } from '../lib/contract-exports';
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

/** One prediction log record as a contract of its own: what a receiver checks each line against. */
export const PredictionLogRecordContract = defineContract('dwh.PredictionLogRecord', PredictionLogRecord);

/**
 * v2 of the prediction log: the same records, each sent as the one line of JSON text the sender
 * encoded when the prediction was made (a `PredictionLogRecord`, checked line by line by the
 * receiver). The transport then carries a few strings instead of thousands of small objects, which
 * it would serialise again on every send. v1 stays for senders that predate it.
 */
export const IngestPredictionLogLinesMessage = defineMessage(
  'dwh-ingest.prediction-log.v2',
  Type.Object(
    { lines: Type.Array(Type.String({ description: 'A PredictionLogRecord as JSON text' }), { minItems: 1, maxItems: 5000 }) },
    { additionalProperties: false },
  ),
  Type.Object({ accepted: Type.Integer(), duplicates: Type.Integer() }, { additionalProperties: false }),
  'Durably appends prediction log records sent as JSON lines (idempotent by predictionId); a batch with an invalid line is refused whole, naming each line',
);

