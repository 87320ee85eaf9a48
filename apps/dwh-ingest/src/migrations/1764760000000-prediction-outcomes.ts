import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Live predictions labelled by their model's declared outcome (the platform's replacement of a
 * shop-specific predictions mart): one row per logged prediction of a model with an outcome, its
 * label once known, refreshed periodically and on demand; and per model, the last refresh.
 */
export class PredictionOutcomes1764760000000 implements MigrationInterface {
  name = 'PredictionOutcomes1764760000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "dwh".prediction_outcomes (
        prediction_id text PRIMARY KEY,
        model text NOT NULL,
        version int NOT NULL,
        arm text NOT NULL,
        entity jsonb,
        output double precision NOT NULL,
        predicted_at timestamptz NOT NULL,
        label double precision,
        label_available boolean NOT NULL,
        labelled_at timestamptz,
        outcome_rows int NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX prediction_outcomes_model_idx ON "dwh".prediction_outcomes (model, predicted_at)`);
    await q.query(`
      CREATE TABLE "dwh".outcome_refreshes (
        model text PRIMARY KEY,
        project text NOT NULL,
        definition_sha256 text NOT NULL,
        status text NOT NULL,
        error text,
        predictions bigint NOT NULL DEFAULT 0,
        labelled bigint NOT NULL DEFAULT 0,
        attempted_at timestamptz NOT NULL,
        refreshed_at timestamptz
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dwh".outcome_refreshes`);
    await q.query(`DROP TABLE "dwh".prediction_outcomes`);
  }
}
