import { Type, type Static } from '@sinclair/typebox';
import { defineContract } from '../lib/contract-exports';
import { SlaStatus } from './dwh-events.contracts';

/** Freshness SLA of a dataset, measured on its loaded-at column (dbt source freshness style). */
export interface FreshnessSla {
  dataset: string;
  kind: 'source' | 'mart';
  /** Schema-qualified table and its loaded-at column (both checked against a strict pattern). */
  table: string;
  loadedAtColumn: string;
  warnAfterSeconds: number;
  errorAfterSeconds: number;
}

/** Completeness SLA: share of rejected events among all received in a trailing window. */
export interface CompletenessSla {
  dataset: string;
  windowSeconds: number;
  warnAfterRatio: number;
  errorAfterRatio: number;
}

/** The DWH-to-DS/BI interface SLAs of the warehouse (thresholds overridable per deployment). */
export const DwhFreshnessSlas: readonly FreshnessSla[] = [
  { dataset: 'events', kind: 'source', table: 'dwh.events', loadedAtColumn: 'loaded_at', warnAfterSeconds: 3600, errorAfterSeconds: 6 * 3600 },
  { dataset: 'prediction_log', kind: 'source', table: 'dwh.prediction_log', loadedAtColumn: 'loaded_at', warnAfterSeconds: 3600, errorAfterSeconds: 6 * 3600 },
  { dataset: 'marketing_spend', kind: 'source', table: 'dwh.src_marketing_spend', loadedAtColumn: 'loaded_at', warnAfterSeconds: 2 * 86400, errorAfterSeconds: 7 * 86400 },
  { dataset: 'mart_user_profile', kind: 'mart', table: 'dwh.mart_user_profile', loadedAtColumn: 'updated_at', warnAfterSeconds: 2 * 3600, errorAfterSeconds: 24 * 3600 },
  { dataset: 'mart_user_activity_daily', kind: 'mart', table: 'dwh.mart_user_activity_daily', loadedAtColumn: 'updated_at', warnAfterSeconds: 2 * 3600, errorAfterSeconds: 24 * 3600 },
  { dataset: 'mart_orders', kind: 'mart', table: 'dwh.mart_orders', loadedAtColumn: 'updated_at', warnAfterSeconds: 2 * 3600, errorAfterSeconds: 24 * 3600 },
  { dataset: 'mart_predictions', kind: 'mart', table: 'dwh.mart_predictions', loadedAtColumn: 'updated_at', warnAfterSeconds: 2 * 3600, errorAfterSeconds: 24 * 3600 },
];

export const DwhCompletenessSlas: readonly CompletenessSla[] = [
  { dataset: 'events', windowSeconds: 3600, warnAfterRatio: 0.05, errorAfterRatio: 0.2 },
];

export const SlaCheckResult = Type.Object({
  dataset: Type.String(),
  check: Type.Union([Type.Literal('freshness'), Type.Literal('completeness')]),
  status: SlaStatus,
  measured: Type.Union([Type.Number(), Type.Null()], { description: 'Seconds since last load, or rejected ratio' }),
  warnAfter: Type.Number(),
  errorAfter: Type.Number(),
  reason: Type.String(),
  since: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: 'When the status last changed' }),
});
export type SlaCheckResult = Static<typeof SlaCheckResult>;

export const SlaReport = defineContract(
  'dwh.SlaReport',
  Type.Object({ status: SlaStatus, checkedAt: Type.String({ format: 'date-time' }), checks: Type.Array(SlaCheckResult) }),
);
export type SlaReport = Static<typeof SlaReport.schema>;
