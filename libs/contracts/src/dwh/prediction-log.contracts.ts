import { Type, type Static } from '@sinclair/typebox';
import { defineContract, defineMessage, Int32 } from '../lib/contract-exports';
import { FeatureValue } from '../features/online-features.contracts';

/** One prediction as model-serving logs it back into the warehouse (closing the loop). */
export const PredictionLogRecord = Type.Object(
  {
    predictionId: Type.String({ minLength: 1, maxLength: 128, description: 'Unique; the warehouse deduplicates on it' }),
    requestId: Type.String({ maxLength: 128 }),
    model: Type.String({ maxLength: 64 }),
    version: Int32({ minimum: 1 }),
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
  'Durably appends prediction log records to the warehouse (idempotent by predictionId); a record holding text the warehouse cannot store (U+0000, a lone surrogate) or nested too deeply is set aside alone',
  { callers: ['model-serving'] },
);

/** One prediction log record as a contract of its own: what a receiver checks each line against. */
export const PredictionLogRecordContract = defineContract('dwh.PredictionLogRecord', PredictionLogRecord);

const PredictionLogViolation = Type.Object({ path: Type.String(), code: Type.String(), message: Type.String() });

/**
 * The answer to a v2 batch. `rejected` and `rejections` were added when bad lines stopped
 * refusing their whole batch: each bad line is set aside alone (kept with its violations where it
 * can be listed and replayed) and the others are stored. Present only when a line was set aside,
 * so an all-valid batch is answered exactly as before.
 */
const PredictionLogIngestReply = Type.Object(
  {
    accepted: Type.Integer({ description: 'Records stored by this batch' }),
    duplicates: Type.Integer({ description: 'Records whose predictionId was already stored' }),
    rejected: Type.Optional(Type.Integer({ description: 'Lines set aside (kept with their violations), not stored' })),
    rejections: Type.Optional(
      Type.Array(
        Type.Object(
          { line: Type.Integer({ description: 'Index of the line in the batch' }), id: Type.String({ description: 'Where it is kept (GET /v1/prediction-log/rejected)' }), violations: Type.Array(PredictionLogViolation) },
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

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
  PredictionLogIngestReply,
  'Durably appends prediction log records sent as JSON lines (idempotent by predictionId); an invalid line is set aside alone with its violations (listed and replayed at /v1/prediction-log/rejected), the valid ones are stored',
  { callers: ['model-serving'] },
);

/** A line of a prediction log batch that was set aside, as the warehouse keeps it. */
export const RejectedPredictionLogLine = Type.Object({
  id: Type.String({ description: 'What a replay names' }),
  line: Type.String({ description: 'The line as received (U+0000 shown as U+FFFD, a lone surrogate as its \\u escape)' }),
  violations: Type.Array(PredictionLogViolation),
  codes: Type.Array(Type.String()),
  receivedAt: Type.String({ format: 'date-time' }),
  replayedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  replayStatus: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('still_invalid'), Type.Null()]),
});
export type RejectedPredictionLogLine = Static<typeof RejectedPredictionLogLine>;

export const RejectedPredictionLogQuery = defineContract(
  'dwh.RejectedPredictionLogQuery',
  Type.Object(
    {
      status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('replayed')])),
      limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: '1..1000, default 100' })),
      cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$', description: 'nextCursor of the previous page' })),
    },
    { additionalProperties: false },
  ),
);
export type RejectedPredictionLogQuery = Static<typeof RejectedPredictionLogQuery.schema>;

export const RejectedPredictionLogPage = defineContract(
  'dwh.RejectedPredictionLogPage',
  Type.Object({ items: Type.Array(RejectedPredictionLogLine), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
);
export type RejectedPredictionLogPage = Static<typeof RejectedPredictionLogPage.schema>;

export const PredictionLogReplayRequest = defineContract(
  'dwh.PredictionLogReplayRequest',
  Type.Object(
    {
      ids: Type.Optional(Type.Array(Type.String({ pattern: '^[0-9]{1,18}$' }), { minItems: 1, maxItems: 10000 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 1000 })),
    },
    { additionalProperties: false },
  ),
);
export type PredictionLogReplayRequest = Static<typeof PredictionLogReplayRequest.schema>;

export const PredictionLogReplayResult = defineContract(
  'dwh.PredictionLogReplayResult',
  Type.Object({
    replayed: Type.Integer(),
    accepted: Type.Integer(),
    duplicates: Type.Integer(),
    stillInvalid: Type.Integer(),
    results: Type.Array(
      Type.Object({
        id: Type.String(),
        status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate'), Type.Literal('still_invalid')]),
        errors: Type.Array(PredictionLogViolation),
      }),
    ),
  }),
);
export type PredictionLogReplayResult = Static<typeof PredictionLogReplayResult.schema>;

