import { Injectable } from '@nestjs/common';
import type { BatchJob, CreateBatchJob } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { Database } from '@mlp/service-kit';
import { modelNotFound } from '../errors/inference-error';
import { ModelStore } from '../models/model-store';
import { checkSchedule, toBatchJob, type JobRow } from './batch-job';
import { BatchSourceReader } from './batch-source-reader';

/** The batch jobs the API creates, lists, shows and cancels (rows of `serving.batch_jobs`). */
@Injectable()
export class BatchJobStore {
  constructor(
    private readonly db: Database,
    private readonly models: ModelStore,
    private readonly sources: BatchSourceReader,
  ) {}

  /** A new job, due at once: its model must be served, its schedule a cron expression and its source readable. */
  async create(body: CreateBatchJob): Promise<BatchJob> {
    if (!this.models.knows(body.model)) throw modelNotFound(body.model);
    if (body.schedule) checkSchedule(body.schedule);
    await this.sources.check(body.source);
    const [row] = await this.db.query<JobRow>(
      `INSERT INTO "serving".batch_jobs (model, pinned_version, source, chunk_size, schedule, status, next_run_at)
       VALUES ($1, $2, $3::jsonb, $4, $5, 'queued', now()) RETURNING *`,
      [body.model, body.version ?? null, JSON.stringify(body.source), body.chunkSize ?? 500, body.schedule ?? null],
    );
    return toBatchJob(row);
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
