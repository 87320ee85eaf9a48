import { Injectable } from '@nestjs/common';
import type { FeatureStatus } from '@mlp/contracts';
import { Database } from '@mlp/service-kit';
import { LEASE_SECONDS, nextRun, returnedRows, type JobRow } from './batch-job';
import { publishStatements } from './batch-results-table';

/** One scored chunk: per entity key, in key order, its score, every output, and the features' statuses. */
export interface ScoredChunk {
  keys: readonly string[];
  scores: readonly number[];
  outputs: ReadonlyArray<readonly number[]>;
  statuses: ReadonlyArray<Record<string, FeatureStatus>>;
  /** When the features were taken: the job's stated time (point-in-time), or null for now (online). */
  asOf: string | null;
}

/**
 * The runners' side of `serving.batch_jobs`: due jobs are claimed with FOR UPDATE SKIP LOCKED under
 * a lease (so any number of replicas share them, and a crashed replica's job is taken over once its
 * lease ends); a chunk's predictions go to `serving.batch_predictions` in the transaction that
 * advances the job's cursor, so a run resumes after its last committed chunk and never writes one twice.
 */
@Injectable()
export class BatchJobQueue {
  constructor(private readonly db: Database) {}

  /**
   * Takes the next due job: queued or scheduled and due, or running with an expired lease. A
   * scheduled job starts a new run (run + 1, from the first key); any other resumes at its cursor.
   */
  async claim(): Promise<JobRow | undefined> {
    const [row] = returnedRows<JobRow>(
      await this.db.query(
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
      ),
    );
    return row;
  }

  /** Records the version a run scores with, so a resumed run keeps it. */
  async pinVersion(id: string, version: number): Promise<void> {
    await this.db.query(`UPDATE "serving".batch_jobs SET version = $2 WHERE id = $1`, [id, version]);
  }

  /**
   * Writes a chunk's predictions and moves the cursor past its last key, renewing the lease, in one
   * transaction. False (and nothing written) when the job is no longer running: it was cancelled.
   */
  async commitChunk(job: Pick<JobRow, 'id' | 'run' | 'model'>, version: number, chunk: ScoredChunk): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const updated = returnedRows<{ id: string }>(
        await tx.query(
          `UPDATE "serving".batch_jobs SET cursor = $2, scored = scored + $3, chunks = chunks + 1, lease_until = now() + interval '${LEASE_SECONDS} seconds'
            WHERE id = $1 AND status = 'running' RETURNING id`,
          [job.id, chunk.keys[chunk.keys.length - 1], chunk.keys.length],
        ),
      );
      if (updated.length === 0) return false;
      await tx.query(
        `INSERT INTO "serving".batch_predictions (job_id, run, entity_key, model, version, score, outputs, feature_statuses, as_of)
         SELECT $1, $2, k, $3, $4, s, ARRAY(SELECT jsonb_array_elements_text(o)::float8), fs, COALESCE($8::timestamptz, now())
           FROM unnest($5::text[], $6::float8[], $7::jsonb[], $9::jsonb[]) AS t(k, s, fs, o)
         ON CONFLICT (job_id, run, entity_key) DO UPDATE SET score = EXCLUDED.score, outputs = EXCLUDED.outputs, version = EXCLUDED.version,
           feature_statuses = EXCLUDED.feature_statuses, as_of = EXCLUDED.as_of, predicted_at = now()`,
        [job.id, job.run, job.model, version, chunk.keys, chunk.scores, chunk.statuses.map((s) => JSON.stringify(s)), chunk.asOf, chunk.outputs.map((o) => JSON.stringify(o))],
      );
      return true;
    });
  }

  /**
   * A run went through every key: its results are published to the job's warehouse table in the
   * transaction that finishes it (readers see the whole run or none of it), then a scheduled job
   * waits for its next time and any other has succeeded. False (nothing published) when the job is
   * no longer running: it was cancelled.
   */
  async finish(job: Pick<JobRow, 'id' | 'run' | 'schedule' | 'results' | 'source'>): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const updated = returnedRows<{ id: string }>(
        await tx.query(
          `UPDATE "serving".batch_jobs SET status = $2, finished_at = now(), lease_until = NULL, next_run_at = COALESCE($3, next_run_at) WHERE id = $1 AND status = 'running' RETURNING id`,
          [job.id, job.schedule ? 'scheduled' : 'succeeded', job.schedule ? nextRun(job.schedule) : null],
        ),
      );
      if (updated.length === 0) return false;
      for (const sql of publishStatements(job.results, job.source.key)) await tx.query(sql, sql.includes('$1') ? [job.id, job.run] : []);
      return true;
    });
  }

  /** A run stopped on an error: `queued` again after `retryMs` (resuming at its cursor), or `failed`. */
  async interrupt(id: string, status: 'queued' | 'failed', error: string, retryMs: number): Promise<void> {
    await this.db.query(
      `UPDATE "serving".batch_jobs SET status = $2, error = $3, lease_until = NULL, next_run_at = now() + ($4 || ' milliseconds')::interval,
              finished_at = CASE WHEN $2 = 'failed' THEN now() ELSE NULL END WHERE id = $1 AND status = 'running'`,
      [id, status, error.slice(0, 1000), String(retryMs)],
    );
  }
}
