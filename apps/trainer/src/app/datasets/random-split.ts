import { createHash } from 'node:crypto';

export interface RandomSplitPlan {
  testFraction: number;
  validationFraction?: number;
  /** Split each class (label value, or class name) on its own, so every part keeps the class shares. */
  stratify: boolean;
  seed: number;
}

export interface RandomSplitResult<T> {
  train: T[];
  validation: T[];
  holdout: T[];
}

/** A row's place in the shuffle: a hash of its identity and the seed, so a row keeps its place whatever else is in the set. */
export function rankOf(identity: string, seed: number): string {
  return createHash('sha256').update(`${seed}\u0000${identity}`).digest('hex');
}

/**
 * Seeded random split for data without a meaningful time. Rows are ordered by a hash of their
 * identity (join keys and timestamp) and the seed, per class when stratified, and the first
 * `testFraction` of each group is held out, the next `validationFraction` of the rest validates.
 * The same rows and seed give the same split on every run and every machine, and a row added
 * later does not move the others between parts (beyond shifting a cut by one).
 */
export function randomSplit<T>(rows: readonly T[], identityOf: (row: T) => string, labelOf: (row: T) => number | string, plan: RandomSplitPlan): RandomSplitResult<T> {
  const groups = new Map<string, Array<{ row: T; key: string }>>();
  for (const row of rows) {
    const group = plan.stratify ? String(labelOf(row)) : 'all';
    const list = groups.get(group) ?? [];
    list.push({ row, key: rankOf(identityOf(row), plan.seed) });
    groups.set(group, list);
  }
  const out: RandomSplitResult<T> = { train: [], validation: [], holdout: [] };
  for (const group of [...groups.keys()].sort()) {
    const list = (groups.get(group) as Array<{ row: T; key: string }>).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const test = Math.round(list.length * plan.testFraction);
    const validation = Math.round((list.length - test) * (plan.validationFraction ?? 0));
    list.forEach(({ row }, i) => (i < test ? out.holdout : i < test + validation ? out.validation : out.train).push(row));
  }
  return out;
}
