import { Type, type Static } from '@sinclair/typebox';
import { defineContract } from '../lib/contract-exports';
import { SlaStatus } from './dwh-events.contracts';

/**
 * Aggregate answers of the warehouse for dashboards (the console's warehouse page): events per time
 * bucket, top violation codes and events, the imports, and the model DAG as lineage.
 */
export const WarehouseStatsErrorCode = {
  /** from/to/bucket/top that cannot be answered: not a date-time, from not before to, too many buckets. */
  INVALID_STATS_QUERY: 'INVALID_STATS_QUERY',
} as const;

/** At most this many buckets in one answer (a month of hours). */
export const EVENT_STATS_MAX_BUCKETS = 744;

export const EventStatsQuery = defineContract(
  'dwh.EventStatsQuery',
  Type.Object(
    {
      from: Type.Optional(Type.String({ format: 'date-time', description: 'Start (rounded down to the bucket); default: `to` minus 24 hours' })),
      to: Type.Optional(Type.String({ format: 'date-time', description: 'End, exclusive (rounded up to the bucket); default: now' })),
      bucket: Type.Optional(Type.Union([Type.Literal('hour'), Type.Literal('day')], { description: 'Bucket width, UTC (default hour)' })),
      top: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: 'How many top codes and events (1..100, default 10)' })),
    },
    { additionalProperties: false },
  ),
);
export type EventStatsQuery = Static<typeof EventStatsQuery.schema>;

export const EventStatsBucket = Type.Object(
  {
    start: Type.String({ format: 'date-time' }),
    /** Rows loaded into `dwh.events` in the bucket (by `loaded_at`: a replayed event counts when it was replayed). */
    accepted: Type.Integer(),
    /** Messages refused by the tracking plan, received in the bucket (`dwh.failed_events`). */
    rejected: Type.Integer(),
    /** Messages received in the bucket whose messageId was already stored (not stored again). */
    duplicates: Type.Integer(),
  },
  { additionalProperties: false },
);
export type EventStatsBucket = Static<typeof EventStatsBucket>;

export const EventStats = defineContract(
  'dwh.EventStats',
  Type.Object(
    {
      from: Type.String({ format: 'date-time' }),
      to: Type.String({ format: 'date-time' }),
      bucket: Type.Union([Type.Literal('hour'), Type.Literal('day')]),
      /** Every bucket of [from, to), oldest first, zeros included. */
      buckets: Type.Array(EventStatsBucket),
      totals: Type.Object({ accepted: Type.Integer(), rejected: Type.Integer(), duplicates: Type.Integer() }, { additionalProperties: false }),
      /** Violation codes by the number of rejected messages carrying them, most first (a message with two codes counts for each). */
      topCodes: Type.Array(Type.Object({ code: Type.String(), events: Type.Integer() }, { additionalProperties: false })),
      /** Event names by rejected messages, most first (`null`: messages without an event name). */
      topEvents: Type.Array(Type.Object({ event: Type.Union([Type.String(), Type.Null()]), rejected: Type.Integer() }, { additionalProperties: false })),
    },
    { additionalProperties: false },
  ),
);
export type EventStats = Static<typeof EventStats.schema>;

export const ImportRunSummary = Type.Object(
  {
    importId: Type.String(),
    source: Type.String(),
    status: Type.String({ description: '`completed`, or `running` while the upload streams' }),
    contentType: Type.String(),
    rowsAccepted: Type.Integer(),
    rowsRejected: Type.Integer(),
    startedAt: Type.String({ format: 'date-time' }),
    finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type ImportRunSummary = Static<typeof ImportRunSummary>;

export const ImportRunsPage = defineContract(
  'dwh.ImportRunsPage',
  Type.Object({ items: Type.Array(ImportRunSummary), nextCursor: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false }),
);
export type ImportRunsPage = Static<typeof ImportRunsPage.schema>;

const NullableString = Type.Union([Type.String(), Type.Null()]);

export const LineageNode = Type.Object(
  {
    /** `source:<relation>` or `model:<name>`: unique in the graph. */
    id: Type.String(),
    kind: Type.Union([Type.Literal('source'), Type.Literal('model')]),
    /** The relation in the `dwh` schema (`src_orders`, `events`, `mart_customers`). */
    name: Type.String(),
    /** The owning project; null for the platform's own tables (`events`, `prediction_log`). */
    project: NullableString,
    layer: Type.Union([Type.Literal('source'), Type.Literal('staging'), Type.Literal('marts')]),
    materialized: NullableString,
    description: NullableString,
    /** The model's last build: null for sources and for models never run. */
    lastRun: Type.Union([
      Type.Object(
        {
          runId: NullableString,
          status: Type.String({ description: '`success` or `failed`' }),
          builtAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
          rows: Type.Union([Type.Integer(), Type.Null()]),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    /** Each declared data test with its latest result (`status` null: not run yet). */
    tests: Type.Array(
      Type.Object(
        {
          test: Type.String({ description: 'e.g. `unique(customer_id) [error]`' }),
          status: Type.Union([Type.Literal('pass'), Type.Literal('fail'), Type.Null()]),
          failures: Type.Union([Type.Integer(), Type.Null()]),
          ranAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
    /** The freshness SLA's last evaluation; null when the dataset declares none. */
    freshness: Type.Union([
      Type.Object(
        { status: SlaStatus, ageSeconds: Type.Union([Type.Number(), Type.Null()]), checkedAt: Type.String({ format: 'date-time' }) },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);
export type LineageNode = Static<typeof LineageNode>;

export const WarehouseLineage = defineContract(
  'dwh.WarehouseLineage',
  Type.Object(
    {
      nodes: Type.Array(LineageNode),
      /** `from` is read by `to` (ids of nodes). */
      edges: Type.Array(Type.Object({ from: Type.String(), to: Type.String() }, { additionalProperties: false })),
    },
    { additionalProperties: false },
  ),
);
export type WarehouseLineage = Static<typeof WarehouseLineage.schema>;
