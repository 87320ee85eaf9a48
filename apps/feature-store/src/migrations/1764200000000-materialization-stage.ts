import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Materialization reads a job's source once: a staging step COPYs the latest value per entity in
 * the window, tagged with its hash chunk, into an UNLOGGED table of that job
 * (`materialization_stage_<id>`, created and dropped by the service, so no delete bloat); chunks
 * then upsert their part set-based. The staging step is claimed like a chunk (lease + heartbeat on the job row), and each
 * chunk records how many rows were staged for it, so a stage emptied by a server crash (unlogged
 * tables are truncated on recovery) is detected and staged again. Online values become `json`.
 */
export class MaterializationStage1764200000000 implements MigrationInterface {
  name = 'MaterializationStage1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "features".materializations
      ADD COLUMN staged_at timestamptz,
      ADD COLUMN stage_claimed_by text,
      ADD COLUMN stage_heartbeat_at timestamptz,
      ADD COLUMN stage_attempts integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE "features".materialization_chunks ADD COLUMN staged_rows bigint NOT NULL DEFAULT 0`);
    // Re-materialization mostly updates rows in place: free space per page lets PostgreSQL keep the
    // new version on the same page without touching the primary key index (HOT updates).
    await q.query(`ALTER TABLE "features".online_values SET (fillfactor = 80)`);
    // Online values are only ever read whole: json (validated text) is several times cheaper to
    // write than jsonb, which matters when a materialization writes millions of them. (The type
    // change rewrites the table, which applies the fillfactor above to existing rows too.)
    await q.query(`ALTER TABLE "features".online_values ALTER COLUMN "values" TYPE json USING "values"::json`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "features".online_values RESET (fillfactor)`);
    await q.query(`ALTER TABLE "features".online_values ALTER COLUMN "values" TYPE jsonb USING "values"::jsonb`);
    await q.query(`ALTER TABLE "features".materialization_chunks DROP COLUMN staged_rows`);
    await q.query(`ALTER TABLE "features".materializations DROP COLUMN staged_at, DROP COLUMN stage_claimed_by, DROP COLUMN stage_heartbeat_at, DROP COLUMN stage_attempts`);
  }
}
