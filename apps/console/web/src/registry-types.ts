// How the pages read the trainer's runs and models: the registry's answers are @mlp/client's types
// (ModelSummary, ModelVersion, AliasAuditEntry); a training run's is its contract (TrainingRun).
import type { TrainingRun } from '@mlp/contracts';

export type { TrainingRun };

/** Metrics where a lower value is better (the gate's direction too). */
export const LOWER_IS_BETTER = new Set(['log_loss', 'rmse', 'mae', 'ece', 'brier']);

/** The metric a model's spec ranks runs by (`auc` when the spec names none); the spec is the trainer's, read as data. */
export function primaryMetricOf(spec: unknown): string {
  const m = (spec as { primaryMetric?: unknown } | null | undefined)?.primaryMetric;
  return typeof m === 'string' ? m : 'auc';
}
