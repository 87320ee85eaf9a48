import { Injectable } from '@nestjs/common';
import { TrainingRunFailedEvent, type CrossValidation, type EpochPoint, type ModelSpec, type RunOverrides, type TrainingRun, type TrainingRunStatus } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { Database, Outbox } from '@mlp/service-kit';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { canonicalJson, sha256Hex } from '../artifacts/artifact-codec';
import { LeaseLostError } from './lease-lost-error';
import type { TrainingOutcome } from './training-pipeline';

export interface RunRow {
  id: string;
  model: string;
  status: TrainingRunStatus;
  trigger: string;
  trial: boolean;
  search_id: string | null;
  search_trial: number | null;
  trial_params: Record<string, unknown> | null;
  cross_validation: CrossValidation | null;
  spec: ModelSpec;
  spec_hash: string;
  seed: number;
  data_end: Date;
  progress: number;
  curves: EpochPoint[];
  metrics: Record<string, Record<string, number>> | null;
  calibration: TrainingRun['calibration'];
  dataset: TrainingRun['dataset'];
  feature_service_version: string | null;
  code_version: string;
  backend: string | null;
  model_version: number | null;
  gate: TrainingRun['gate'];
  error: string | null;
  attempts: number;
  max_attempts: number;
  lease_owner: string | null;
  cancel_requested: boolean;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const DAY_MS = 86_400_000;

/**
 * Rows of an UPDATE/DELETE ... RETURNING: TypeORM answers those with `[rows, affected]` while pg
 * answers rows; the queue works with either.
 */
export function returnedRows<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as T[];
  return result as T[];
}
const Q = `"registry".training_runs`;

/** What `training.run.failed.v1` reports of a run. */
const FAILED_COLUMNS = 'id, model, trigger, attempts, error, error_code, finished_at';
type FailedRow = { id: string; model: string; trigger: string; attempts: number; error: string | null; error_code: string | null; finished_at: Date };

/** A run as the API shows it. */
export function toTrainingRun(r: RunRow): TrainingRun {
  return {
    id: r.id,
    model: r.model,
    status: r.status,
    trigger: r.trigger,
    trial: r.trial,
    searchId: r.search_id,
    algorithm: r.spec.algorithm,
    progress: Math.min(1, Math.max(0, r.progress)),
    attempts: r.attempts,
    curves: r.curves,
    metrics: r.metrics,
    calibration: r.calibration,
    crossValidation: r.cross_validation,
    dataset: r.dataset,
    featureServiceVersion: r.feature_service_version,
    specHash: r.spec_hash,
    codeVersion: r.code_version,
    backend: r.backend,
    seed: r.seed,
    modelVersion: r.model_version,
    gate: r.gate,
    error: r.error,
    createdAt: r.created_at.toISOString(),
    startedAt: r.started_at?.toISOString() ?? null,
    finishedAt: r.finished_at?.toISOString() ?? null,
    durationMs: r.started_at && r.finished_at ? r.finished_at.getTime() - r.started_at.getTime() : null,
  };
}

/** Applies run overrides to a spec; the result is what the run trains and what its spec hash covers. */
export function effectiveSpec(spec: ModelSpec, overrides: RunOverrides = {}): ModelSpec {
  const { end: _end, ...rest } = overrides;
  return { ...spec, ...rest };
}

/**
 * The end of a run's data, on a whole minute so that reruns read the same window. A time split rounds
 * down (the held-out window ends at a settled minute); a random split rounds up, so a static table
 * loaded a few seconds ago is in the run rather than left out until the next minute.
 */
export function dataEnd(spec: ModelSpec, at: number): Date {
  const minutes = at / 60_000;
  return new Date((spec.split.kind === 'random' ? Math.ceil(minutes) : Math.floor(minutes)) * 60_000);
}

/**
 * The durable training-run queue in PostgreSQL. Replicas claim with `FOR UPDATE SKIP LOCKED` (no two
 * take the same run), hold a lease they renew with heartbeats, and a run whose lease expired (its
 * trainer was killed) is requeued, or failed once it used up its attempts: never stuck in running.
 */
@Injectable()
export class RunQueue {
  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
  ) {}

  /** `training.run.failed.v1` (to the webhooks) in the transaction that marks the run failed. */
  private async reportFailed(m: EntityManager, rows: readonly FailedRow[]): Promise<void> {
    for (const r of rows) {
      await this.outbox.publish(
        TrainingRunFailedEvent,
        { runId: r.id, model: r.model, trigger: r.trigger, attempts: r.attempts, error: r.error, errorCode: r.error_code, at: new Date(r.finished_at).toISOString() },
        m,
      );
    }
  }

  /**
   * Queues a run; 409 RUN_IN_PROGRESS when the model already has one queued or running (trials
   * excepted: a search runs many at once), 404 MODEL_NOT_FOUND when its spec is not declared (or was
   * removed). The model row is share-locked, so a removal either waits for this run (and then
   * cancels it) or this insert sees the removal.
   */
  async enqueue(
    input: {
      model: string;
      spec: ModelSpec;
      overrides?: RunOverrides;
      trigger: string;
      requestedBy: string | null;
      codeVersion: string;
      maxAttempts: number;
      /** A trial: judged on validation rows only, never registered. */
      trial?: boolean;
      search?: { id: string; trial: number | null; params: Record<string, unknown> | null };
    },
    manager?: EntityManager,
  ): Promise<RunRow> {
    const spec = effectiveSpec(input.spec, input.overrides);
    const delayDays = spec.labelSource.labelDelayDays ?? 0;
    const end = input.overrides?.end ? new Date(input.overrides.end) : dataEnd(spec, Date.now() - delayDays * DAY_MS);
    const query = (sql: string, params: unknown[]) => (manager ? manager.query(sql, params) : this.db.query(sql, params));
    try {
      const rows = (await query(
        `INSERT INTO ${Q} (id, model, status, trigger, spec, spec_hash, seed, data_end, code_version, requested_by, max_attempts, trial, search_id, search_trial, trial_params)
         SELECT $1, $2, 'queued', $3, $4::jsonb, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb
          WHERE EXISTS (SELECT 1 FROM "registry".models WHERE name = $2 AND removed_at IS NULL FOR SHARE)
         RETURNING *`,
        [
          randomUUID(),
          input.model,
          input.trigger,
          JSON.stringify(spec),
          sha256Hex(canonicalJson(spec)),
          spec.seed ?? 0,
          end,
          input.codeVersion,
          input.requestedBy,
          input.maxAttempts,
          input.trial === true,
          input.search?.id ?? null,
          input.search?.trial ?? null,
          input.search?.params ? JSON.stringify(input.search.params) : null,
        ],
      )) as RunRow[];
      if (!rows[0]) throw PlatformError.notFound(`model ${input.model} is not declared`, 'MODEL_NOT_FOUND');
      return rows[0];
    } catch (e) {
      if ((e as { code?: string }).code === '23505' || (e as { driverError?: { code?: string } }).driverError?.code === '23505') {
        throw PlatformError.conflict(`model ${input.model} already has a queued or running training run`, [], 'RUN_IN_PROGRESS');
      }
      throw e;
    }
  }

  /** Takes the oldest due run, if any, under a lease held by `owner`. */
  async claim(owner: string, leaseMs: number): Promise<RunRow | null> {
    const [row] = returnedRows<RunRow>(await this.db.query(
      `UPDATE ${Q} SET status = 'running', lease_owner = $1, lease_expires_at = now() + ($2 || ' milliseconds')::interval,
              attempts = attempts + 1, started_at = COALESCE(started_at, now()), progress = 0, curves = '[]'::jsonb, error = NULL, error_code = NULL
        WHERE id = (SELECT id FROM ${Q} WHERE status = 'queued' AND available_at <= now()
                     ORDER BY available_at, created_at FOR UPDATE SKIP LOCKED LIMIT 1)
        RETURNING *`,
      [owner, String(leaseMs)],
    ));
    return row ?? null;
  }

  /** Renews the lease and records progress; `held: false` means the lease was lost (stop working). */
  async heartbeat(id: string, owner: string, leaseMs: number, progress: number, curves: EpochPoint[], backend: string | null): Promise<{ held: boolean; cancelRequested: boolean }> {
    const [row] = returnedRows<{ cancel_requested: boolean }>(await this.db.query(
      `UPDATE ${Q} SET lease_expires_at = now() + ($3 || ' milliseconds')::interval, progress = $4, curves = $5::jsonb, backend = COALESCE($6, backend)
        WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING cancel_requested`,
      [id, owner, String(leaseMs), progress, JSON.stringify(curves), backend],
    ));
    return row ? { held: true, cancelRequested: row.cancel_requested } : { held: false, cancelRequested: false };
  }

  /** Ends a run this owner holds; false when the lease had been lost meanwhile. */
  async finish(
    id: string,
    owner: string,
    status: 'failed' | 'cancelled' | 'queued',
    error: { message: string; code: string } | null,
    fields: { backend?: string | null; curves?: EpochPoint[] } = {},
  ): Promise<boolean> {
    return this.db.transaction(async (m) => {
      const rows = returnedRows<FailedRow>(await m.query(
        `UPDATE ${Q} SET status = $3, error = $4, error_code = $5, lease_owner = NULL, lease_expires_at = NULL,
                finished_at = CASE WHEN $3 = 'queued' THEN NULL ELSE now() END,
                available_at = CASE WHEN $3 = 'queued' THEN now() + interval '5 seconds' * attempts ELSE available_at END,
                backend = COALESCE($6, backend), curves = COALESCE($7::jsonb, curves)
          WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING ${FAILED_COLUMNS}`,
        [id, owner, status, error?.message ?? null, error?.code ?? null, fields.backend ?? null, fields.curves ? JSON.stringify(fields.curves) : null],
      ));
      if (status === 'failed') await this.reportFailed(m, rows);
      return rows.length > 0;
    });
  }

  /**
   * Ends a trial this owner holds as succeeded: its validation metrics, curves and the validation
   * rows with their scores (`part = validation`). No version, no gate: a trial is never registered.
   */
  async completeTrial(run: RunRow, owner: string, outcome: TrainingOutcome, backend: string, keepRows: number): Promise<void> {
    await this.db.transaction(async (m) => {
      const done = returnedRows(await m.query(
        `UPDATE ${Q} SET status = 'succeeded', progress = 1, metrics = $3::jsonb, dataset = $4::jsonb, curves = $5::jsonb, cross_validation = $6::jsonb,
                feature_service_version = $7, backend = $8, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL
          WHERE id = $1 AND lease_owner = $2 AND status = 'running' AND trial RETURNING id`,
        [run.id, owner, JSON.stringify(outcome.metrics), JSON.stringify(outcome.dataset), JSON.stringify(outcome.curves), outcome.crossValidation ? JSON.stringify(outcome.crossValidation) : null, outcome.featureServiceVersion, backend],
      ));
      if (done.length === 0) throw new LeaseLostError(run.id);
      await m.query(`INSERT INTO "registry".training_run_holdout (run_id, total, rows, part) VALUES ($1, $2, $3::jsonb, 'validation')`, [
        run.id,
        outcome.holdout.length,
        JSON.stringify(outcome.holdout.slice(0, keepRows)),
      ]);
    });
  }

  /**
   * Stops the active runs of some models, or of one search, inside the caller's transaction: queued
   * ones are cancelled at once with the reason, running ones are asked to stop at their next heartbeat.
   */
  async stopActive(m: EntityManager, of: { models: string[] } | { searchId: string }, reason: { message: string; code: string }): Promise<void> {
    const [column, value] = 'models' in of ? ['model = ANY($1::text[])', of.models] : ['search_id = $1', of.searchId];
    await m.query(
      `UPDATE ${Q}
          SET status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
              finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END,
              error = CASE WHEN status = 'queued' THEN $2 ELSE error END,
              error_code = CASE WHEN status = 'queued' THEN $3 ELSE error_code END,
              cancel_requested = true
        WHERE ${column} AND status IN ('queued', 'running')`,
      [value, reason.message, reason.code],
    );
  }

  /** A graceful shutdown hands the run back without using up an attempt. */
  async release(id: string, owner: string): Promise<boolean> {
    const rows = returnedRows(await this.db.query(
      `UPDATE ${Q} SET status = 'queued', attempts = GREATEST(attempts - 1, 0), lease_owner = NULL, lease_expires_at = NULL, available_at = now()
        WHERE id = $1 AND lease_owner = $2 AND status = 'running' RETURNING id`,
      [id, owner],
    ));
    return rows.length > 0;
  }

  /**
   * Runs whose trainer stopped heart-beating (killed, partitioned): back to the queue while
   * attempts remain, otherwise failed with the reason. Returns what it changed.
   */
  async reclaimExpired(): Promise<Array<{ id: string; status: string }>> {
    return this.db.transaction(async (m) => {
      const rows = returnedRows<FailedRow & { status: string }>(await m.query(
        `UPDATE ${Q} SET status = CASE WHEN cancel_requested THEN 'cancelled' WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
                error = CASE WHEN cancel_requested THEN 'cancelled while its trainer was lost'
                             ELSE 'trainer lost its lease (killed or unreachable) during attempt ' || attempts || ' of ' || max_attempts END,
                error_code = CASE WHEN attempts >= max_attempts AND NOT cancel_requested THEN 'LEASE_EXPIRED' ELSE error_code END,
                finished_at = CASE WHEN cancel_requested OR attempts >= max_attempts THEN now() ELSE NULL END,
                lease_owner = NULL, lease_expires_at = NULL, available_at = now()
          WHERE id IN (SELECT id FROM ${Q} WHERE status = 'running' AND lease_expires_at < now() FOR UPDATE SKIP LOCKED)
          RETURNING status, ${FAILED_COLUMNS}`,
      ));
      await this.reportFailed(m, rows.filter((r) => r.status === 'failed'));
      return rows.map((r) => ({ id: r.id, status: r.status }));
    });
  }

  async get(id: string): Promise<RunRow> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw PlatformError.badRequest('a run id is a UUID', [{ path: 'id', code: 'INVALID_ID', message: id }], 'INVALID_RUN_ID');
    const [row] = await this.db.query<RunRow>(`SELECT * FROM ${Q} WHERE id = $1`, [id]);
    if (!row) throw PlatformError.notFound(`training run ${id} not found`, 'RUN_NOT_FOUND');
    return row;
  }

  /**
   * Runs newest first (creation time, then id), a page after `after` (the last row's key of the
   * previous page: microseconds since the epoch as text, and the id). `created_us` is each row's key.
   */
  async list(filter: { model?: string; status?: string; limit: number; after?: [string, string] }): Promise<Array<RunRow & { created_us: string }>> {
    return this.db.query<RunRow & { created_us: string }>(
      `SELECT *, (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_us FROM ${Q}
        WHERE ($1::text IS NULL OR model = $1) AND ($2::text IS NULL OR status = $2)
          AND ($4::bigint IS NULL OR (created_at, id) < (timestamptz 'epoch' + $4::bigint * interval '1 microsecond', $5::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      [filter.model ?? null, filter.status ?? null, filter.limit, filter.after?.[0] ?? null, filter.after?.[1] ?? null],
    );
  }

  /** Cancels a queued run at once; a running one is flagged and its trainer stops at the next heartbeat. */
  async cancel(id: string): Promise<RunRow> {
    await this.get(id);
    const [row] = returnedRows<RunRow>(await this.db.query(
      `UPDATE ${Q} SET status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
              finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END,
              cancel_requested = status IN ('queued', 'running') OR cancel_requested
        WHERE id = $1 RETURNING *`,
      [id],
    ));
    if (['succeeded', 'failed'].includes(row.status)) throw PlatformError.conflict(`training run ${id} already ${row.status}`, [], 'RUN_FINISHED');
    return row;
  }
}
