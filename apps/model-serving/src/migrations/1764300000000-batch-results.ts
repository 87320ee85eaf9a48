import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Batch results for the warehouse (issue #20): each job names its `dwh.scores_*` table and how a run
 * writes it, and which features it scores (online, or point-in-time as of a stated time); each
 * prediction keeps every output of its row and the time its features were taken.
 */
export class BatchResults1764300000000 implements MigrationInterface {
  name = 'BatchResults1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "serving".batch_jobs ADD COLUMN results jsonb, ADD COLUMN features jsonb`);
    // Jobs created before: their results go to scores_<model>, replaced by each run, with online features.
    await q.query(
      `UPDATE "serving".batch_jobs SET results = jsonb_build_object('table', left('scores_' || replace(model, '-', '_'), 63), 'mode', 'replace'), features = '{"mode": "online"}'::jsonb`,
    );
    await q.query(`ALTER TABLE "serving".batch_jobs ALTER COLUMN results SET NOT NULL, ALTER COLUMN features SET NOT NULL`);
    await q.query(`ALTER TABLE "serving".batch_predictions ADD COLUMN outputs double precision[], ADD COLUMN as_of timestamptz`);
    await q.query(`UPDATE "serving".batch_predictions SET outputs = ARRAY[score], as_of = predicted_at`);
    await q.query(`ALTER TABLE "serving".batch_predictions ALTER COLUMN outputs SET NOT NULL, ALTER COLUMN as_of SET NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "serving".batch_predictions DROP COLUMN outputs, DROP COLUMN as_of`);
    await q.query(`ALTER TABLE "serving".batch_jobs DROP COLUMN results, DROP COLUMN features`);
  }
}
