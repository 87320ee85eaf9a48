import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Each successful run keeps its held-out rows with the candidate's score of each (capped per run). */
export class HoldoutPredictions1765000000000 implements MigrationInterface {
  name = 'HoldoutPredictions1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "registry".training_run_holdout (
      run_id uuid PRIMARY KEY REFERENCES "registry".training_runs(id) ON DELETE CASCADE,
      total integer NOT NULL,
      rows jsonb NOT NULL
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "registry".training_run_holdout`);
  }
}
