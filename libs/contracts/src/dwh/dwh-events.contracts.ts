import { Type, type Static } from '@sinclair/typebox';
import { defineEvent } from '../lib/contract-exports';

/** Emitted through the outbox after each mart refresh; consumers refresh features or retrain. */
export const MartRefreshedEvent = defineEvent(
  'dwh.mart.refreshed.v1',
  Type.Object({
    mart: Type.String({ description: 'Schema-qualified table, e.g. "dwh.mart_orders"' }),
    watermark: Type.String({ format: 'date-time', description: 'Every row loaded before this instant is in the mart' }),
    rowsAffected: Type.Optional(Type.Integer({ minimum: 0 })),
    runId: Type.Optional(Type.String()),
  }),
  'A warehouse mart was rebuilt or incrementally refreshed',
  ['feature-store', 'trainer'],
  { producer: 'dwh-ingest' },
);
export type MartRefreshed = Static<typeof MartRefreshedEvent.payload.schema>;

export const SlaStatus = Type.Union([Type.Literal('ok'), Type.Literal('warn'), Type.Literal('error')]);
export type SlaStatus = Static<typeof SlaStatus>;

/** Emitted when a dataset's SLA check turns warn or error (webhooks deliver it to people). */
export const SlaBreachedEvent = defineEvent(
  'dwh.sla.breached.v1',
  Type.Object({
    dataset: Type.String(),
    check: Type.Union([Type.Literal('freshness'), Type.Literal('completeness')]),
    status: SlaStatus,
    previousStatus: Type.Union([SlaStatus, Type.Null()]),
    measured: Type.Union([Type.Number(), Type.Null()]),
    warnAfter: Type.Number(),
    errorAfter: Type.Number(),
    reason: Type.String(),
    at: Type.String({ format: 'date-time' }),
  }),
  'A warehouse dataset breached its freshness or completeness SLA',
  [],
  { producer: 'dwh-ingest' },
);
export type SlaBreached = Static<typeof SlaBreachedEvent.payload.schema>;

/** Emitted when a dataset's SLA check returns to ok after warn or error, so whoever was paged can stand down. */
export const SlaRecoveredEvent = defineEvent(
  'dwh.sla.recovered.v1',
  Type.Object({
    dataset: Type.String(),
    check: Type.Union([Type.Literal('freshness'), Type.Literal('completeness')]),
    status: Type.Literal('ok'),
    previousStatus: Type.Union([Type.Literal('warn'), Type.Literal('error')]),
    measured: Type.Union([Type.Number(), Type.Null()]),
    warnAfter: Type.Number(),
    errorAfter: Type.Number(),
    reason: Type.String(),
    breachedSince: Type.String({ format: 'date-time', description: 'When the check left ok' }),
    at: Type.String({ format: 'date-time' }),
  }),
  'A warehouse dataset that breached its freshness or completeness SLA is within it again',
  [],
  { producer: 'dwh-ingest' },
);
export type SlaRecovered = Static<typeof SlaRecoveredEvent.payload.schema>;

/** A KPI's scheduled report (its project declares `report: {schedule, webhook}`): delivered to that one webhook receiver. */
export const KpiReportEvent = defineEvent(
  'dwh.kpi.report.v1',
  Type.Object({
    kpi: Type.String(),
    project: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    unit: Type.Union([Type.String(), Type.Null()]),
    /** The occurrence of the schedule this report is for (one report per occurrence, however many replicas). */
    scheduledFor: Type.String({ format: 'date-time' }),
    /** First and last day of the points (YYYY-MM-DD, inclusive): the `window_days` before the occurrence's day. */
    from: Type.String({ format: 'date' }),
    to: Type.String({ format: 'date' }),
    points: Type.Array(
      Type.Object({ date: Type.String({ format: 'date' }), value: Type.Union([Type.Number(), Type.Null()]), dimension: Type.Optional(Type.Union([Type.String(), Type.Null()])) }, { additionalProperties: false }),
    ),
  }),
  "A KPI's points over its report window, on the KPI's schedule",
  [],
  { producer: 'dwh-ingest' },
);
export type KpiReport = Static<typeof KpiReportEvent.payload.schema>;
