import { Injectable } from '@nestjs/common';
import type { BatchJob, BatchResultsTarget, CreateBatchJob } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { Database } from '@mlp/service-kit';
import { modelNotFound } from '../errors/inference-error';
import { ModelStore } from '../models/model-store';
import { checkSchedule, toBatchJob, type JobRow } from './batch-job';
import { checkResultsTarget, defaultResultsTarget, missingColumns, RESULTS_SCHEMA } from './batch-results-table';
import { BatchSourceReader } from './batch-source-reader';

/** The batch jobs the API creates, lists, shows and cancels (rows of `serving.batch_jobs`). */
@Injectable()
export class BatchJobStore {
  constructor(
    private readonly db: Database,
    private readonly models: ModelStore,
    private readonly sources: BatchSourceReader,
  ) {}

  /**
   * A new job, due at once: its model must be served, its schedule a cron expression, its source
   * readable, its stated time a valid instant, and its results table a `scores_` name that can take
   * its rows (`create`: one that does not exist yet).
   */
  async create(body: CreateBatchJob): Promise<BatchJob> {
    const results = body.results ?? defaultResultsTarget(body.model);
    const features = body.features ?? { mode: 'online' as const };
    checkResultsTarget(results, body.source.key);
    if (features.mode === 'point_in_time' && Number.isNaN(Date.parse(features.asOf))) {
      throw PlatformError.badRequest('features.asOf is not a time', [{ path: '$.features.asOf', code: 'INVALID_AS_OF', message: features.asOf }], 'INVALID_AS_OF');
    }
    if (!this.models.knows(body.model)) throw modelNotFound(body.model);
    if (body.schedule) checkSchedule(body.schedule);
    await this.sources.check(body.source);
    await this.checkResultsTable(results, body.source.key);
    const [row] = await this.db.query<JobRow>(
      `INSERT INTO "serving".batch_jobs (model, pinned_version, source, chunk_size, schedule, status, next_run_at, results, features)
       VALUES ($1, $2, $3::jsonb, $4, $5, 'queued', now(), $6::jsonb, $7::jsonb) RETURNING *`,
      [body.model, body.version ?? null, JSON.stringify(body.source), body.chunkSize ?? 500, body.schedule ?? null, JSON.stringify(results), JSON.stringify(features)],
    );
    return toBatchJob(row);
  }

  /** An existing results table: 409 for `create`, and for the others it must have the columns this job writes. */
  private async checkResultsTable(results: BatchResultsTarget, key: string): Promise<void> {
    const columns = await this.db.query<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`,
      [RESULTS_SCHEMA, results.table],
    );
    if (columns.length === 0) return;
    if (results.mode === 'create') {
      throw PlatformError.conflict(`${RESULTS_SCHEMA}.${results.table} exists already (mode create)`, [{ path: '$.results.table', code: 'RESULTS_TABLE_EXISTS', message: results.table }], 'RESULTS_TABLE_EXISTS');
    }
    const missing = missingColumns(columns.map((c) => c.name), key);
    if (missing.length) {
      throw PlatformError.conflict(
        `${RESULTS_SCHEMA}.${results.table} exists without the columns ${missing.join(', ')}: another job's key or not a results table`,
        missing.map((m) => ({ path: '$.results.table', code: 'RESULTS_TABLE_MISMATCH', message: m })),
        'RESULTS_TABLE_MISMATCH',
      );
    }
  }

  async get(id: string): Promise<BatchJob> {
    if (!/^[1-9][0-9]{0,17}$/.test(id)) throw PlatformError.notFound(`batch job ${id} not found`);
    const [row] = await this.db.query<JobRow>(`SELECT * FROM "serving".batch_jobs WHERE id = $1`, [id]);
    if (!row) throw PlatformError.notFound(`batch job ${id} not found`);
    return toBatchJob(row);
  }

  /** The latest 100 jobs, newest first. */
  async list(): Promise<BatchJob[]> {
    const rows = await this.db.query<JobRow>(`SELECT * FROM "serving".batch_jobs ORDER BY id DESC LIMIT 100`);
    return rows.map(toBatchJob);
  }

  /** Cancels a job; a run in progress stops before its next chunk is written. */
  async cancel(id: string): Promise<BatchJob> {
    await this.get(id);
    await this.db.query(`UPDATE "serving".batch_jobs SET status = 'cancelled', lease_until = NULL, finished_at = now() WHERE id = $1 AND status <> 'cancelled'`, [id]);
    return this.get(id);
  }
}
