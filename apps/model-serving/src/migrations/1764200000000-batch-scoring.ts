import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Batch scoring: a job queue shared by replicas (FOR UPDATE SKIP LOCKED with a lease, resumable from
 * its key cursor) and the predictions it writes, one row per entity per run.
 */
export class BatchScoring1764200000000 implements MigrationInterface {
  name = 'BatchScoring1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "serving".batch_jobs (
      id bigserial PRIMARY KEY,
      model text NOT NULL,
      pinned_version integer,
      version integer,
      source jsonb NOT NULL,
      chunk_size integer NOT NULL,
      schedule text,
      status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'scheduled', 'cancelled')),
      run integer NOT NULL DEFAULT 1,
      scored bigint NOT NULL DEFAULT 0,
      chunks integer NOT NULL DEFAULT 0,
      cursor text,
      error text,
      next_run_at timestamptz NOT NULL DEFAULT now(),
      lease_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    )`);
    await q.query(`CREATE INDEX batch_jobs_due_idx ON "serving".batch_jobs (next_run_at) WHERE status IN ('queued', 'running', 'scheduled')`);
    await q.query(`CREATE TABLE "serving".batch_predictions (
      job_id bigint NOT NULL REFERENCES "serving".batch_jobs (id) ON DELETE CASCADE,
      run integer NOT NULL,
      entity_key text NOT NULL,
      model text NOT NULL,
      version integer NOT NULL,
      score double precision NOT NULL,
      feature_statuses jsonb NOT NULL,
      predicted_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (job_id, run, entity_key)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "serving".batch_predictions`);
    await q.query(`DROP TABLE "serving".batch_jobs`);
  }
}
