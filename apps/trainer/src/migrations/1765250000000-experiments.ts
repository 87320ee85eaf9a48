import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Experiments: a run may be a trial (judged on validation rows, never registered) of a search; a
 * search holds its plan, budget and outcome. Trials of one model run side by side (the
 * one-active-run-per-model rule now covers runs that register versions only). Each run keeps the
 * rows it was judged on with their scores: `part` says whether they are test rows (a registered
 * run: the gate's rows) or validation rows (a trial).
 */
export class Experiments1765250000000 implements MigrationInterface {
  name = 'Experiments1765250000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "registry".searches (
      id uuid PRIMARY KEY,
      model text NOT NULL REFERENCES "registry".models(name),
      status text NOT NULL CHECK (status IN ('running', 'registering', 'succeeded', 'failed', 'cancelled')),
      plan jsonb NOT NULL,
      seed integer NOT NULL,
      metric text NOT NULL,
      data_end timestamptz NOT NULL,
      deadline timestamptz,
      winner_run_id uuid,
      final_run_id uuid,
      error text,
      error_code text,
      requested_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`);
    await q.query(`CREATE INDEX searches_active_idx ON "registry".searches (created_at) WHERE status IN ('running', 'registering')`);
    await q.query(`CREATE INDEX searches_model_idx ON "registry".searches (model, created_at DESC)`);
    await q.query(`ALTER TABLE "registry".training_runs
      ADD COLUMN trial boolean NOT NULL DEFAULT false,
      ADD COLUMN search_id uuid REFERENCES "registry".searches(id),
      ADD COLUMN search_trial integer,
      ADD COLUMN trial_params jsonb,
      ADD COLUMN cross_validation jsonb,
      ADD CONSTRAINT training_runs_trial_has_search CHECK (search_trial IS NULL OR search_id IS NOT NULL)`);
    await q.query(`CREATE INDEX training_runs_search_idx ON "registry".training_runs (search_id, search_trial) WHERE search_id IS NOT NULL`);
    await q.query(`DROP INDEX "registry".training_runs_one_active_idx`);
    await q.query(`CREATE UNIQUE INDEX training_runs_one_active_idx ON "registry".training_runs (model) WHERE status IN ('queued', 'running') AND NOT trial`);
    await q.query(`ALTER TABLE "registry".training_run_holdout ADD COLUMN part text NOT NULL DEFAULT 'test' CHECK (part IN ('test', 'validation'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "registry".training_run_holdout DROP COLUMN part`);
    await q.query(`DROP INDEX "registry".training_runs_one_active_idx`);
    await q.query(`DELETE FROM "registry".training_runs WHERE trial`);
    await q.query(`CREATE UNIQUE INDEX training_runs_one_active_idx ON "registry".training_runs (model) WHERE status IN ('queued', 'running')`);
    await q.query(`ALTER TABLE "registry".training_runs DROP COLUMN trial, DROP COLUMN search_id, DROP COLUMN search_trial, DROP COLUMN trial_params, DROP COLUMN cross_validation`);
    await q.query(`DROP TABLE "registry".searches`);
  }
}
