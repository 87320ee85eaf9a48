import { CronExpressionParser } from 'cron-parser';

/** A problem with a cron expression, or null when it is a valid five-field expression. */
export function cronProblem(expression: string, timezone?: string): string | null {
  if (expression.trim().split(/\s+/).length !== 5) return 'must have five fields (minute hour day-of-month month day-of-week)';
  try {
    CronExpressionParser.parse(expression, { tz: timezone ?? 'UTC', currentDate: new Date() }).next();
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/** The most recent occurrence at or before `now`. */
export function latestOccurrence(expression: string, now: Date, timezone?: string): Date {
  // `prev()` is strictly before currentDate; nudge so an occurrence exactly at `now` counts.
  const it = CronExpressionParser.parse(expression, { tz: timezone ?? 'UTC', currentDate: new Date(now.getTime() + 1) });
  return it.prev().toDate();
}

export function nextOccurrence(expression: string, after: Date, timezone?: string): Date {
  return CronExpressionParser.parse(expression, { tz: timezone ?? 'UTC', currentDate: after }).next().toDate();
}

export type ScheduleAction =
  | { action: 'idle'; due: Date | null }
  | { action: 'enqueue'; due: Date }
  /** The occurrence is consumed without a run: one of this model is still queued or running. */
  | { action: 'skip_overlap'; due: Date };

/**
 * What a scheduler tick does for one model. Only the latest occurrence since the last one handled
 * matters: a trainer that was down for a week runs once, not seven times (missed runs are not
 * stacked), and an occurrence that finds a run still going is skipped (never two overlapping runs).
 */
export function scheduleTick(input: { cron: string; timezone?: string; lastHandled: Date; now: Date; activeRun: boolean }): ScheduleAction {
  const due = latestOccurrence(input.cron, input.now, input.timezone);
  if (due.getTime() <= input.lastHandled.getTime()) return { action: 'idle', due: null };
  return input.activeRun ? { action: 'skip_overlap', due } : { action: 'enqueue', due };
}
