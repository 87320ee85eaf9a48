import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { BatchJob, CreateBatchJob } from '@mlp/contracts';
import { PlatformError, type Logger } from '@mlp/runtime';
import { Database, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { CronExpressionParser } from 'cron-parser';
import { EntityFeatures } from '../entity-predictions/entity-features';
import { InferenceService } from '../inference/inference.service';
import { modelNotFound } from '../errors/inference-error';
import { ModelStore } from '../models/model-store';
import { keysQuery, type BatchSource } from './batch-source';

interface JobRow {
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
}

const LEASE_SECONDS = 30;

/** TypeORM answers UPDATE ... RETURNING as [rows, affectedCount] and SELECT/INSERT as rows. */
function returned<T>(result: unknown): T[] {
  const r = result as unknown[];
  return Array.isArray(r) && r.length === 2 && Array.isArray(r[0]) && typeof r[1] === 'number' ? (r[0] as T[]) : (r as T[]);
}
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function nextRun(schedule: string, from = new Date()): Date {
  return CronExpressionParser.parse(schedule, { currentDate: from, tz: 'UTC' }).next().toDate();
}

/**
 * Scheduled batch scoring: jobs live in Postgres and any replica claims due ones with
 * FOR UPDATE SKIP LOCKED and a lease. Each chunk of entity keys is scored with the model's online
 * features and written to serving.batch_predictions in the same transaction that advances the job's
 * cursor, so a crash resumes after the last committed chunk and never writes a chunk twice.
 */
@Injectable()
export class BatchScoringService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private working?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly store: ModelStore,
    private readonly inference: InferenceService,
    private readonly features: EntityFeatures,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), this.config.env['BATCH_POLL_MS'] as number);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.working;
  }

  kick(): void {
    if (this.working || this.stopped || !this.db.isConnected) return;
    this.working = this.drain()
      .catch((err) => this.log.warn({ err: String(err) }, 'batch scoring pass failed'))
      .finally(() => {
        this.working = undefined;
      });
  }

  async create(body: CreateBatchJob): Promise<BatchJob> {
    if (!this.store.knows(body.model)) throw modelNotFound(body.model);
    if (body.schedule) {
      try {
        nextRun(body.schedule);
      } catch (err) {
        throw PlatformError.badRequest(`schedule is not a cron expression: ${(err as Error).message}`, [{ path: '$.schedule', code: 'INVALID_SCHEDULE', message: body.schedule }], 'INVALID_SCHEDULE');
      }
    }
    await this.checkSource(body.source);
    const [row] = await this.db.query<JobRow>(
      `INSERT INTO "serving".batch_jobs (model, pinned_version, source, chunk_size, schedule, status, next_run_at)
       VALUES ($1, $2, $3::jsonb, $4, $5, 'queued', now()) RETURNING *`,
      [body.model, body.version ?? null, JSON.stringify(body.source), body.chunkSize ?? 500, body.schedule ?? null],
    );
    this.kick();
    return this.toJob(row);
  }

  async get(id: string): Promise<BatchJob> {
    if (!/^[1-9][0-9]{0,17}$/.test(id)) throw PlatformError.notFound(`batch job ${id} not found`);
    const [row] = await this.db.query<JobRow>(`SELECT * FROM "serving".batch_jobs WHERE id = $1`, [id]);
    if (!row) throw PlatformError.notFound(`batch job ${id} not found`);
    return this.toJob(row);
  }

  async list(): Promise<BatchJob[]> {
    const rows = await this.db.query<JobRow>(`SELECT * FROM "serving".batch_jobs ORDER BY id DESC LIMIT 100`);
    return rows.map((r) => this.toJob(r));
  }

  async cancel(id: string): Promise<BatchJob> {
    await this.get(id);
    await this.db.query(`UPDATE "serving".batch_jobs SET status = 'cancelled', lease_until = NULL, finished_at = now() WHERE id = $1 AND status <> 'cancelled'`, [id]);
    return this.get(id);
  }

  /** The mart and key column must exist: identifiers are checked against the catalogue, an SQL source by a dry run. */
  private async checkSource(source: BatchSource): Promise<void> {
    if ('mart' in source) {
      const found = await this.db.query(
        `SELECT 1 FROM information_schema.columns WHERE table_schema = 'dwh' AND table_name = $1 AND column_name = $2`,
        [source.mart, source.key],
      );
      if (found.length === 0) throw PlatformError.badRequest(`dwh.${source.mart} has no column ${source.key}`, [{ path: '$.source', code: 'UNKNOWN_MART', message: `${source.mart}.${source.key}` }], 'UNKNOWN_MART');
      return;
    }
    await this.readKeys(source, null, 1);
  }

  private async readKeys(source: BatchSource, cursor: string | null, limit: number): Promise<string[]> {
    const q = keysQuery(source, cursor, limit);
    try {
      return await this.db.transaction(async (tx) => {
        await tx.query('SET TRANSACTION READ ONLY');
        const rows: Array<{ k: string }> = await tx.query(q.sql, q.params);
        return rows.map((r) => r.k);
      });
    } catch (err) {
      const code = (err as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (err as { code?: string }).code;
      // The user's query is wrong (syntax, unknown table/column, data-modifying CTE, writes while read-only): a client mistake.
      if (typeof code === 'string' && /^(42|22|0A|25006)/.test(code)) {
        throw PlatformError.badRequest(`the entity query failed: ${(err as Error).message}`, [{ path: '$.source', code: 'INVALID_SQL', message: (err as Error).message }], 'INVALID_SQL');
      }
      throw err;
    }
  }

  private async claim(): Promise<JobRow | undefined> {
    const [row] = returned<JobRow>(await this.db.query(
      `UPDATE "serving".batch_jobs j SET
         status = 'running',
         lease_until = now() + interval '${LEASE_SECONDS} seconds',
         run = CASE WHEN j.status = 'scheduled' THEN j.run + 1 ELSE j.run END,
         cursor = CASE WHEN j.status = 'scheduled' THEN NULL ELSE j.cursor END,
         scored = CASE WHEN j.status = 'scheduled' THEN 0 ELSE j.scored END,
         chunks = CASE WHEN j.status = 'scheduled' THEN 0 ELSE j.chunks END,
         version = CASE WHEN j.status = 'scheduled' THEN NULL ELSE j.version END,
         started_at = CASE WHEN j.status = 'scheduled' OR j.started_at IS NULL THEN now() ELSE j.started_at END,
         finished_at = NULL, error = NULL
       WHERE j.id = (
         SELECT id FROM "serving".batch_jobs
          WHERE (status IN ('queued', 'scheduled') AND next_run_at <= now()) OR (status = 'running' AND lease_until < now())
          ORDER BY next_run_at, id FOR UPDATE SKIP LOCKED LIMIT 1)
       RETURNING j.*`,
    ));
    return row;
  }

  /** Runs due jobs until none is left. */
  async drain(): Promise<void> {
    for (let job = await this.claim(); job && !this.stopped; job = await this.claim()) await this.runJob(job);
  }

  private async runJob(job: JobRow): Promise<void> {
    try {
      let version = job.version;
      if (version === null) {
        version = job.pinned_version ?? this.store.alias(job.model, 'champion').version;
        await this.db.query(`UPDATE "serving".batch_jobs SET version = $2 WHERE id = $1`, [job.id, version]);
      }
      let cursor = job.cursor;
      const requestId = `batch-${job.id}-${job.run}`;
      for (;;) {
        if (this.stopped) return; // the lease expires and a replica (or the next start) resumes from the cursor
        const keys = await this.readKeys(job.source, cursor, job.chunk_size);
        if (keys.length === 0) break;
        // The one inference path, pinned to the job's version: non-finite answers fail the chunk, and every score is logged and watched for drift.
        const { rows, outputs } = await this.inference.predict({
          model: job.model,
          target: { version },
          sticky: { requestId },
          requestId,
          inputs: this.features.inputsFor(keys.map((k) => ({ [job.source.key]: k }))),
        });
        const width = outputs.length / rows.rows;
        const last = keys[keys.length - 1];
        const stillRunning = await this.db.transaction(async (tx) => {
          const updated = returned<{ id: string }>(await tx.query(
            `UPDATE "serving".batch_jobs SET cursor = $2, scored = scored + $3, chunks = chunks + 1, lease_until = now() + interval '${LEASE_SECONDS} seconds'
              WHERE id = $1 AND status = 'running' RETURNING id`,
            [job.id, last, keys.length],
          ));
          if (updated.length === 0) return false;
          await tx.query(
            `INSERT INTO "serving".batch_predictions (job_id, run, entity_key, model, version, score, feature_statuses)
             SELECT $1, $2, k, $3, $4, s, fs FROM unnest($5::text[], $6::float8[], $7::jsonb[]) AS t(k, s, fs)
             ON CONFLICT (job_id, run, entity_key) DO UPDATE SET score = EXCLUDED.score, version = EXCLUDED.version, feature_statuses = EXCLUDED.feature_statuses, predicted_at = now()`,
            [job.id, job.run, job.model, version, keys, keys.map((_, i) => outputs[i * width]), rows.statuses.map((s) => JSON.stringify(s))],
          );
          return true;
        });
        if (!stillRunning) return; // cancelled meanwhile
        cursor = last;
      }
      await this.db.query(
        `UPDATE "serving".batch_jobs SET status = $2, finished_at = now(), lease_until = NULL, next_run_at = COALESCE($3, next_run_at) WHERE id = $1 AND status = 'running'`,
        [job.id, job.schedule ? 'scheduled' : 'succeeded', job.schedule ? nextRun(job.schedule) : null],
      );
      this.log.info({ job: job.id, model: job.model, version, run: job.run }, 'batch scoring run finished');
    } catch (err) {
      const retryable = err instanceof PlatformError ? err.status >= 500 : true;
      const message = err instanceof Error ? err.message : String(err);
      // A dependency outage keeps the job queued at its cursor; a client mistake fails it.
      await this.db
        .query(
          `UPDATE "serving".batch_jobs SET status = $2, error = $3, lease_until = NULL, next_run_at = now() + ($4 || ' milliseconds')::interval,
                  finished_at = CASE WHEN $2 = 'failed' THEN now() ELSE NULL END WHERE id = $1 AND status = 'running'`,
          [job.id, retryable ? 'queued' : 'failed', message.slice(0, 1000), String(this.config.env['BATCH_RETRY_MS'])],
        )
        .catch(() => undefined);
      this.log.warn({ job: job.id, err: message, retryable }, 'batch scoring run interrupted');
    }
  }

  private toJob(r: JobRow): BatchJob {
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
    };
  }
}
