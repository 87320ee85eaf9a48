import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The warehouse: raw events (deduplicated by messageId, with Snowplow's four timestamps), failed
 * events, the tracking plan registry, prediction log, third-party imports, the published marts,
 * transformation state, data test results and SLA state.
 */
export class Warehouse1764100000000 implements MigrationInterface {
  name = 'Warehouse1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "dwh".event_schemas (
      name text NOT NULL,
      version text NOT NULL,
      model integer NOT NULL,
      revision integer NOT NULL,
      addition integer NOT NULL,
      description text,
      schema jsonb NOT NULL,
      source text NOT NULL,
      change text NOT NULL,
      registered_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (name, version)
    )`);
    // loaded_at defaults to the transaction start: every row of one acknowledged request shares it,
    // which lets incremental models compute a watermark that never skips in-flight rows.
    await q.query(`CREATE TABLE "dwh".events (
      message_id text PRIMARY KEY,
      type text NOT NULL,
      event text NOT NULL,
      schema_version text NOT NULL,
      user_id text,
      anonymous_id text,
      properties jsonb NOT NULL,
      context jsonb,
      device_created_at timestamptz NOT NULL,
      device_sent_at timestamptz,
      received_at timestamptz NOT NULL,
      derived_at timestamptz NOT NULL,
      loaded_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX events_loaded_at_idx ON "dwh".events (loaded_at)`);
    await q.query(`CREATE TABLE "dwh".failed_events (
      id bigserial PRIMARY KEY,
      message_id text,
      event text,
      payload jsonb NOT NULL,
      payload_sha256 text NOT NULL,
      violations jsonb NOT NULL,
      codes text[] NOT NULL,
      received_at timestamptz NOT NULL,
      replayed_at timestamptz,
      replay_status text,
      replay_request text
    )`);
    // A client retrying the same bad message is stored once; a corrected payload is a new row.
    await q.query(`CREATE UNIQUE INDEX failed_events_message_payload_uq ON "dwh".failed_events (message_id, payload_sha256)`);
    await q.query(`CREATE INDEX failed_events_received_idx ON "dwh".failed_events (received_at, id)`);
    await q.query(`CREATE INDEX failed_events_codes_idx ON "dwh".failed_events USING gin (codes)`);
    await q.query(`CREATE TABLE "dwh".replay_requests (
      key text PRIMARY KEY,
      created_at timestamptz NOT NULL DEFAULT now(),
      result jsonb NOT NULL
    )`);

    await q.query(`CREATE TABLE "dwh".prediction_log (
      prediction_id text PRIMARY KEY,
      request_id text NOT NULL,
      model text NOT NULL,
      version integer NOT NULL,
      arm text NOT NULL,
      entity jsonb,
      inputs jsonb NOT NULL,
      output double precision NOT NULL,
      latency_ms double precision NOT NULL,
      predicted_at timestamptz NOT NULL,
      loaded_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX prediction_log_loaded_at_idx ON "dwh".prediction_log (loaded_at)`);

    await q.query(`CREATE TABLE "dwh".imports (
      id uuid PRIMARY KEY,
      source text NOT NULL,
      idempotency_key text,
      content_type text NOT NULL,
      status text NOT NULL,
      rows_accepted bigint NOT NULL DEFAULT 0,
      rows_rejected bigint NOT NULL DEFAULT 0,
      started_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`);
    await q.query(`CREATE UNIQUE INDEX imports_idempotency_uq ON "dwh".imports (source, idempotency_key)`);
    await q.query(`CREATE TABLE "dwh".import_rejected_rows (
      import_id uuid NOT NULL REFERENCES "dwh".imports(id),
      row_number bigint NOT NULL,
      raw text NOT NULL,
      violations jsonb NOT NULL,
      PRIMARY KEY (import_id, row_number)
    )`);
    // Import sources (dwh.src_<name>) and marts are created by the projects that declare them
    // (POST /v1/warehouse/apply). Deployments migrated before that keep the example shop's tables,
    // which its project adopts.

    await q.query(`CREATE TABLE "dwh".model_state (
      name text PRIMARY KEY,
      watermark timestamptz,
      last_run_id uuid,
      last_status text,
      last_rows bigint,
      last_built_at timestamptz
    )`);
    await q.query(`CREATE TABLE "dwh".transformation_runs (
      id uuid PRIMARY KEY,
      trigger text NOT NULL,
      status text NOT NULL,
      started_at timestamptz NOT NULL,
      finished_at timestamptz,
      models jsonb NOT NULL DEFAULT '[]'
    )`);
    await q.query(`CREATE TABLE "dwh".data_test_results (
      id bigserial PRIMARY KEY,
      run_id uuid NOT NULL REFERENCES "dwh".transformation_runs(id),
      model text NOT NULL,
      test text NOT NULL,
      status text NOT NULL,
      failures bigint NOT NULL,
      sample jsonb NOT NULL,
      ran_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX data_test_results_run_idx ON "dwh".data_test_results (run_id)`);
    await q.query(`CREATE TABLE "dwh".sla_state (
      dataset text NOT NULL,
      "check" text NOT NULL,
      status text NOT NULL,
      measured double precision,
      changed_at timestamptz NOT NULL,
      checked_at timestamptz NOT NULL,
      PRIMARY KEY (dataset, "check")
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'sla_state', 'data_test_results', 'transformation_runs', 'model_state', 'import_rejected_rows', 'imports',
      'prediction_log', 'replay_requests', 'failed_events', 'events', 'event_schemas',
    ]) {
      await q.query(`DROP TABLE IF EXISTS "dwh".${t}`);
    }
  }
}
