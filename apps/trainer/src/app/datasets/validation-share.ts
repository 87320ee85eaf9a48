import type { ModelSpec } from '@mlp/contracts';

/**
 * The share of the training rows a run validates on: the split's `validationFraction`, else 0.1
 * when the algorithm stops early (it needs rows to stop on), else none. Under k-fold
 * cross-validation the folds validate instead.
 */
export function validationFractionOf(spec: ModelSpec): number {
  const algorithm = spec.algorithm as { earlyStopping?: unknown };
  return spec.split.validationFraction ?? (algorithm.earlyStopping ? 0.1 : 0);
}

/** Whether a run of the spec has rows to select on without touching the test rows (a validation share or folds). */
export function hasSelectionRows(spec: ModelSpec): boolean {
  return (spec.split.kind === 'random' && spec.split.folds !== undefined) || validationFractionOf(spec) > 0;
}
