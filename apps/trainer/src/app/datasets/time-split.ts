const DAY_MS = 86_400_000;

export interface TimeSplitPlan {
  /** End of the training set (exclusive); rows at or after it are not part of the run. */
  end: Date;
  holdoutDays: number;
  validationFraction?: number;
}

export interface TimeSplitResult<T> {
  train: T[];
  validation: T[];
  holdout: T[];
  holdoutStart: Date;
}

/**
 * Splits by time, never at random: the most recent `holdoutDays` before `end` are held out for
 * evaluation and the promotion gate, and the most recent share of the rest is the validation set
 * for early stopping. Models are judged on the future they would actually face.
 */
export function timeSplit<T>(rows: readonly T[], timestampOf: (row: T) => number, plan: TimeSplitPlan): TimeSplitResult<T> {
  const holdoutStart = new Date(plan.end.getTime() - plan.holdoutDays * DAY_MS);
  const cut = holdoutStart.getTime();
  const before: T[] = [];
  const holdout: T[] = [];
  for (const row of rows) {
    const ts = timestampOf(row);
    if (!Number.isFinite(ts) || ts >= plan.end.getTime()) continue;
    (ts < cut ? before : holdout).push(row);
  }
  before.sort((a, b) => timestampOf(a) - timestampOf(b));
  const fraction = plan.validationFraction ?? 0;
  const validationCount = Math.floor(before.length * fraction);
  return {
    train: before.slice(0, before.length - validationCount),
    validation: before.slice(before.length - validationCount),
    holdout,
    holdoutStart,
  };
}
