import type { BatchFeatures, BatchJob, BatchResultsTarget } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { CronExpressionParser } from 'cron-parser';
import type { BatchSource } from './batch-source';

/** A row of `serving.batch_jobs`. */
export interface JobRow {
  id: string;
  model: string;
  pinned_version: number | null;
  version: number | null;
  source: BatchSource;
  chunk_size: number;
  schedule: string | null;
  status: BatchJob['status'];
  run: number;
  scored: string;
  chunks: number;
  cursor: string | null;
  error: string | null;
  next_run_at: Date | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  results: BatchResultsTarget;
  features: BatchFeatures;
}

/** How long a claimed job is held without progress before another replica may take it over. */
export const LEASE_SECONDS = 30;

/** TypeORM answers UPDATE ... RETURNING as [rows, affectedCount] and SELECT/INSERT as rows. */
export function returnedRows<T>(result: unknown): T[] {
  const r = result as unknown[];
  return Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number' ? (r[0] as T[]) : (r as T[]);
}

/** The next time a cron schedule (UTC) fires after `from`. */
export function nextRun(schedule: string, from = new Date()): Date {
  return CronExpressionParser.parse(schedule, { currentDate: from, tz: 'UTC' }).next().toDate();
}

/** A schedule must be a cron expression: 400 INVALID_SCHEDULE otherwise. */
export function checkSchedule(schedule: string): void {
  try {
    nextRun(schedule);
  } catch (err) {
    throw PlatformError.badRequest(`schedule is not a cron expression: ${(err as Error).message}`, [{ path: '$.schedule', code: 'INVALID_SCHEDULE', message: schedule }], 'INVALID_SCHEDULE');
  }
}

/**
 * What an error that interrupted a run does to the job: a dependency outage (a 5xx, or anything that
 * is not a client mistake) queues it again at its cursor; a client mistake (4xx) fails it.
 */
export function interruption(err: unknown): { status: 'queued' | 'failed'; retryable: boolean; message: string } {
  const retryable = err instanceof PlatformError ? err.status >= 500 : true;
  const message = err instanceof Error ? err.message : String(err);
  return { status: retryable ? 'queued' : 'failed', retryable, message };
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** A job as the API shows it. */
export function toBatchJob(r: JobRow): BatchJob {
  return {
    id: String(r.id),
    model: r.model,
    version: r.version ?? r.pinned_version,
    source: r.source,
    chunkSize: r.chunk_size,
    schedule: r.schedule,
    status: r.status,
    run: r.run,
    scored: Number(r.scored),
    chunks: r.chunks,
    cursor: r.cursor,
    error: r.error,
    nextRunAt: r.status === 'scheduled' || r.status === 'queued' ? iso(r.next_run_at) : null,
    createdAt: iso(r.created_at) as string,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    results: r.results,
    features: r.features,
  };
}
