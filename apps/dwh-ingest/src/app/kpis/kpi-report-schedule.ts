import type { KpiDefinition } from '@mlp/contracts';
import { CronExpressionParser } from 'cron-parser';

const DAY_MS = 86_400_000;
export const DEFAULT_REPORT_WINDOW_DAYS = 7;

/** Why a report schedule cannot be used (5 fields, UTC), or null when it can. */
export function reportScheduleProblem(schedule: string): string | null {
  if (schedule.trim().split(/\s+/).length !== 5) return `schedule must be a cron expression of 5 fields (minute hour day month weekday), got "${schedule}"`;
  try {
    CronExpressionParser.parse(schedule, { tz: 'UTC' });
    return null;
  } catch (err) {
    return `schedule ${schedule}: ${(err as Error).message}`;
  }
}

/** The latest occurrence of the schedule at or before `now` (UTC). */
export function latestOccurrence(schedule: string, now: Date): Date {
  // A moment past `now` makes an occurrence exactly at `now` the previous one.
  return CronExpressionParser.parse(schedule, { tz: 'UTC', currentDate: new Date(now.getTime() + 1) }).prev().toDate();
}

/**
 * The occurrence a KPI's report is due for at `now`: the latest one, unless it is older than
 * `catchUpMs` (a replica down over it, or a report declared since): then none, and the next occurrence
 * is the next report. One report per occurrence, never a backlog of them.
 */
export function dueOccurrence(schedule: string, now: Date, catchUpMs: number): Date | null {
  const at = latestOccurrence(schedule, now);
  return now.getTime() - at.getTime() <= catchUpMs ? at : null;
}

/** The days of a report (inclusive, YYYY-MM-DD): the `window_days` ending the day before the occurrence's day (UTC). */
export function reportWindow(occurrence: Date, report: NonNullable<KpiDefinition['report']>): { from: string; to: string } {
  const day = Math.floor(occurrence.getTime() / DAY_MS) * DAY_MS;
  const days = report.window_days ?? DEFAULT_REPORT_WINDOW_DAYS;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { from: iso(day - days * DAY_MS), to: iso(day - DAY_MS) };
}

/** A KPI report's schedule must parse and its webhook must name one of the service's receivers: checked when a project applies it. */
export function kpiReportProblems(kpis: readonly KpiDefinition[], hasWebhook: (name: string) => boolean): Array<{ path: string; code: string; message: string }> {
  const out: Array<{ path: string; code: string; message: string }> = [];
  kpis.forEach((k, i) => {
    if (!k.report) return;
    const problem = reportScheduleProblem(k.report.schedule);
    if (problem) out.push({ path: `$.kpis[${i}].report.schedule`, code: 'INVALID_SCHEDULE', message: problem });
    if (!hasWebhook(k.report.webhook)) out.push({ path: `$.kpis[${i}].report.webhook`, code: 'UNKNOWN_WEBHOOK', message: `dwh-ingest has no webhook receiver named ${k.report.webhook} (WEBHOOKS)` });
  });
  return out;
}
