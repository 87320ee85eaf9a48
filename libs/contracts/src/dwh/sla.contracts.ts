import { Type, type Static } from '@sinclair/typebox';
import { defineContract } from '../lib/contract-exports';
import { SlaStatus } from './dwh-events.contracts';

/**
 * Freshness SLA of one of the platform's own datasets, measured as the age of its newest row
 * (dbt source freshness). Teams declare the freshness of their sources and models in their
 * warehouse definitions (`freshness` of dwh.SourceDefinition / dwh.ModelDefinition).
 */
export interface FreshnessSla {
  dataset: string;
  /** Schema-qualified table and its data-time column (both checked against a strict pattern). */
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

/** The platform's own datasets (thresholds overridable per deployment with SLA_OVERRIDES). */
export const DwhFreshnessSlas: readonly FreshnessSla[] = [
  { dataset: 'events', table: 'dwh.events', loadedAtColumn: 'loaded_at', warnAfterSeconds: 3600, errorAfterSeconds: 6 * 3600 },
  { dataset: 'prediction_log', table: 'dwh.prediction_log', loadedAtColumn: 'loaded_at', warnAfterSeconds: 3600, errorAfterSeconds: 6 * 3600 },
];

export const DwhCompletenessSlas: readonly CompletenessSla[] = [
  { dataset: 'events', windowSeconds: 3600, warnAfterRatio: 0.05, errorAfterRatio: 0.2 },
];

export const SlaCheckResult = Type.Object({
  dataset: Type.String(),
  check: Type.Union([Type.Literal('freshness'), Type.Literal('completeness')]),
  status: SlaStatus,
  measured: Type.Union([Type.Number(), Type.Null()], { description: 'Age of the newest data in seconds, or rejected ratio' }),
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
