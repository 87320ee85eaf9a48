import type { CrossValidation, PrimaryMetric } from '@mlp/contracts';
import { higherIsBetter } from '../evaluation/metrics';

/** What selection may read of a finished run: its validation metrics and cross-validation, nothing measured on test rows. */
export interface TrialEvidence {
  index: number;
  runId: string;
  status: string;
  metrics: Record<string, Record<string, number>> | null;
  crossValidation: CrossValidation | null;
}

/**
 * A trial's selection score: the mean over folds under k-fold cross-validation, else the primary
 * metric on the validation rows. Deliberately never `candidate` (the test rows): the gate judges
 * on those, and selecting on them would make the gate's verdict optimistic.
 */
export function validationMetricOf(run: Pick<TrialEvidence, 'metrics' | 'crossValidation'>, metric: PrimaryMetric): number | null {
  const value = run.crossValidation?.metric === metric ? run.crossValidation.mean : run.metrics?.['validation']?.[metric];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The best succeeded trial by validation metric (direction from the metric); a tie goes to the earlier trial. Null when none succeeded with a metric. */
export function selectWinner(trials: readonly TrialEvidence[], metric: PrimaryMetric): { index: number; runId: string; validationMetric: number } | null {
  const up = higherIsBetter(metric);
  let best: { index: number; runId: string; validationMetric: number } | null = null;
  for (const t of [...trials].sort((a, b) => a.index - b.index)) {
    if (t.status !== 'succeeded') continue;
    const value = validationMetricOf(t, metric);
    if (value === null) continue;
    if (!best || (up ? value > best.validationMetric : value < best.validationMetric)) best = { index: t.index, runId: t.runId, validationMetric: value };
  }
  return best;
}
