import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Registry (entities, versioned feature views, feature services), pushed offline rows, the
 * PostgreSQL online store, materialization jobs with their chunks (the work queue replicas share),
 * statistics per materialization and freshness state per view.
 */
export class FeatureRegistry1764100000000 implements MigrationInterface {
  name = 'FeatureRegistry1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "features".entities (
      name text PRIMARY KEY,
      spec jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE "features".feature_views (
      name text NOT NULL,
      version integer NOT NULL,
      spec jsonb NOT NULL,
      schema_hash text NOT NULL,
      source_status text NOT NULL DEFAULT 'UNCHECKED',
      source_message text,
      source_relations text[] NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (name, version)
    )`);
    await q.query(`CREATE TABLE "features".feature_view_heads (
      name text PRIMARY KEY,
      version integer NOT NULL,
      max_version integer NOT NULL,
      removed_at timestamptz
    )`);
    await q.query(`CREATE TABLE "features".feature_services (
      name text PRIMARY KEY,
      spec jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE "features".offline_pushes (
      id bigserial PRIMARY KEY,
      view text NOT NULL,
      version integer NOT NULL,
      entity_key text NOT NULL,
      event_timestamp timestamptz NOT NULL,
      "values" jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX offline_pushes_lookup_idx ON "features".offline_pushes (view, version, entity_key, event_timestamp)`);
    await q.query(`CREATE TABLE "features".online_values (
      view_key text NOT NULL,
      entity_key text NOT NULL,
      "values" jsonb NOT NULL,
      event_timestamp timestamptz NOT NULL,
      written_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (view_key, entity_key)
    )`);
    await q.query(`CREATE TABLE "features".online_watermarks (
      view_key text PRIMARY KEY,
      newest_event_timestamp timestamptz NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE "features".materializations (
      id bigserial PRIMARY KEY,
      view text NOT NULL,
      version integer NOT NULL,
      start_ts timestamptz NOT NULL,
      end_ts timestamptz NOT NULL,
      status text NOT NULL DEFAULT 'PENDING',
      chunks_total integer NOT NULL,
      trigger text NOT NULL,
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    )`);
    await q.query(`CREATE INDEX materializations_view_idx ON "features".materializations (view, version, status, end_ts)`);
    await q.query(`CREATE TABLE "features".materialization_chunks (
      materialization_id bigint NOT NULL REFERENCES "features".materializations(id) ON DELETE CASCADE,
      chunk integer NOT NULL,
      status text NOT NULL DEFAULT 'PENDING',
      claimed_by text,
      heartbeat_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      rows_written bigint NOT NULL DEFAULT 0,
      finished_at timestamptz,
      PRIMARY KEY (materialization_id, chunk)
    )`);
    await q.query(`CREATE INDEX materialization_chunks_due_idx ON "features".materialization_chunks (status, materialization_id, chunk) WHERE status <> 'DONE'`);
    await q.query(`CREATE TABLE "features".feature_stats (
      materialization_id bigint PRIMARY KEY REFERENCES "features".materializations(id) ON DELETE CASCADE,
      view text NOT NULL,
      version integer NOT NULL,
      stats jsonb NOT NULL,
      computed_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE INDEX feature_stats_view_idx ON "features".feature_stats (view, version, computed_at DESC)`);
    await q.query(`CREATE TABLE "features".freshness_state (
      view text PRIMARY KEY,
      breached boolean NOT NULL,
      changed_at timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['freshness_state', 'feature_stats', 'materialization_chunks', 'materializations', 'online_watermarks', 'online_values', 'offline_pushes', 'feature_services', 'feature_view_heads', 'feature_views', 'entities']) {
      await q.query(`DROP TABLE "features".${t}`);
    }
  }
}
