import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The prediction log keeps a prediction's join keys in `entity` only: its `user_id` column copied one
 * product's key. The platform's old `mart_predictions` (the shop's 7-day order label) is replaced by
 * `dwh.prediction_outcomes`, labelled from each model's declared outcome; it is dropped unless a
 * project has since declared a model of that name.
 */
export class PredictionLogEntityOnly1764810000000 implements MigrationInterface {
  name = 'PredictionLogEntityOnly1764810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dwh".prediction_log DROP COLUMN IF EXISTS user_id`);
    const [owned] = await q.query(`SELECT count(*)::int AS n FROM "dwh".project_objects WHERE kind = 'model' AND name = 'mart_predictions'`);
    if (owned.n === 0) await q.query(`DROP TABLE IF EXISTS "dwh".mart_predictions`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dwh".prediction_log ADD COLUMN IF NOT EXISTS user_id text`);
    await q.query(`UPDATE "dwh".prediction_log SET user_id = entity->>'user_id' WHERE entity ? 'user_id'`);
  }
}
