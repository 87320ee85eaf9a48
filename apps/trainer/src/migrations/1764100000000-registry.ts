import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The model registry and the training-run queue. The alias audit log is append-only in the
 * database itself: a trigger refuses UPDATE, DELETE and TRUNCATE, so no code path (or admin with
 * the service's credentials through the API) can rewrite history.
 */
export class Registry1764100000000 implements MigrationInterface {
  name = 'Registry1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "registry".models (
      name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_-]{0,62}$'),
      spec jsonb NOT NULL,
      spec_hash text NOT NULL,
      description text,
      tags jsonb NOT NULL DEFAULT '{}'::jsonb,
      schedule_handled_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE "registry".training_runs (
      id uuid PRIMARY KEY,
      model text NOT NULL REFERENCES "registry".models(name),
      status text NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
      trigger text NOT NULL,
      spec jsonb NOT NULL,
      spec_hash text NOT NULL,
      seed integer NOT NULL,
      data_end timestamptz NOT NULL,
      progress double precision NOT NULL DEFAULT 0,
      curves jsonb NOT NULL DEFAULT '[]'::jsonb,
      metrics jsonb,
      calibration jsonb,
      dataset jsonb,
      feature_service_version text,
      code_version text NOT NULL,
      backend text,
      model_version integer,
      gate jsonb,
      error text,
      error_code text,
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL DEFAULT 3,
      lease_owner text,
      lease_expires_at timestamptz,
      cancel_requested boolean NOT NULL DEFAULT false,
      requested_by text,
      available_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz
    )`);
    await q.query(`CREATE INDEX training_runs_queue_idx ON "registry".training_runs (available_at, created_at) WHERE status = 'queued'`);
    await q.query(`CREATE INDEX training_runs_lease_idx ON "registry".training_runs (lease_expires_at) WHERE status = 'running'`);
    await q.query(`CREATE INDEX training_runs_model_idx ON "registry".training_runs (model, created_at DESC)`);
    // Never two overlapping runs of one model: at most one queued or running run per model.
    await q.query(`CREATE UNIQUE INDEX training_runs_one_active_idx ON "registry".training_runs (model) WHERE status IN ('queued', 'running')`);
    await q.query(`CREATE TABLE "registry".model_versions (
      model text NOT NULL REFERENCES "registry".models(name),
      version integer NOT NULL CHECK (version >= 1),
      run_id uuid REFERENCES "registry".training_runs(id),
      algorithm text NOT NULL,
      artifact bytea NOT NULL,
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      metrics jsonb NOT NULL DEFAULT '{}'::jsonb,
      lineage jsonb NOT NULL,
      gate jsonb,
      status text NOT NULL DEFAULT 'candidate',
      tags jsonb NOT NULL DEFAULT '{}'::jsonb,
      description text,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (model, version)
    )`);
    await q.query(`CREATE TABLE "registry".model_aliases (
      model text NOT NULL REFERENCES "registry".models(name),
      alias text NOT NULL CHECK (alias IN ('champion', 'challenger')),
      version integer NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (model, alias),
      FOREIGN KEY (model, version) REFERENCES "registry".model_versions(model, version)
    )`);
    await q.query(`CREATE TABLE "registry".alias_audit (
      id bigserial PRIMARY KEY,
      model text NOT NULL,
      alias text NOT NULL,
      from_version integer,
      to_version integer,
      actor text NOT NULL,
      reason text NOT NULL,
      run_id uuid,
      at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX alias_audit_model_idx ON "registry".alias_audit (model, id)`);
    await q.query(`CREATE FUNCTION "registry".refuse_audit_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'registry.alias_audit is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`CREATE TRIGGER alias_audit_append_only BEFORE UPDATE OR DELETE ON "registry".alias_audit
      FOR EACH ROW EXECUTE FUNCTION "registry".refuse_audit_rewrite()`);
    await q.query(`CREATE TRIGGER alias_audit_no_truncate BEFORE TRUNCATE ON "registry".alias_audit
      FOR EACH STATEMENT EXECUTE FUNCTION "registry".refuse_audit_rewrite()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "registry".alias_audit`);
    await q.query(`DROP FUNCTION "registry".refuse_audit_rewrite()`);
    await q.query(`DROP TABLE "registry".model_aliases`);
    await q.query(`DROP TABLE "registry".model_versions`);
    await q.query(`DROP TABLE "registry".training_runs`);
    await q.query(`DROP TABLE "registry".models`);
  }
}
