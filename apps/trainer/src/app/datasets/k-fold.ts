import { rankOf } from './random-split';

export interface KFoldPlan {
  folds: number;
  /** Deal each class (label value) on its own, so every fold keeps the class shares. */
  stratify: boolean;
  seed: number;
}

/**
 * Assigns every row to one of `folds` folds: rows are ordered by a hash of their identity and the
 * seed (per class when stratified) and dealt round-robin, so fold sizes (and, stratified, each
 * class's count per fold) differ by at most one, and the same rows and seed give the same folds on
 * every run and machine, whatever order the rows arrive in. Returns the fold index of each row, in
 * input order.
 */
export function kFoldAssignment<T>(rows: readonly T[], identityOf: (row: T) => string, labelOf: (row: T) => number | string, plan: KFoldPlan): number[] {
  if (!Number.isInteger(plan.folds) || plan.folds < 2) throw new Error(`k-fold needs at least 2 folds, not ${plan.folds}`);
  const groups = new Map<string, Array<{ index: number; key: string }>>();
  rows.forEach((row, index) => {
    const group = plan.stratify ? String(labelOf(row)) : 'all';
    const list = groups.get(group) ?? [];
    list.push({ index, key: rankOf(identityOf(row), plan.seed) });
    groups.set(group, list);
  });
  const fold = new Array<number>(rows.length);
  // Each class starts dealing where the previous one stopped, so the smaller folds are not always the last ones.
  let next = 0;
  for (const group of [...groups.keys()].sort()) {
    const list = (groups.get(group) as Array<{ index: number; key: string }>).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { index } of list) {
      fold[index] = next;
      next = (next + 1) % plan.folds;
    }
  }
  return fold;
}
