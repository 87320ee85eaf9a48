import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Prediction log lines set aside: a batch with a bad line stores its valid lines and keeps each bad
 * one here with its violations, to be listed and replayed (as failed events are for tracking).
 */
export class PredictionLogRejected1764600000000 implements MigrationInterface {
  name = 'PredictionLogRejected1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "dwh".prediction_log_rejected (
        id bigserial PRIMARY KEY,
        line text NOT NULL,
        line_sha256 text NOT NULL,
        violations jsonb NOT NULL,
        codes text[] NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        replayed_at timestamptz,
        replay_status text
      )`);
    // A batch resent after a lost reply sets each bad line aside once.
    await q.query(`CREATE UNIQUE INDEX prediction_log_rejected_line_idx ON "dwh".prediction_log_rejected (line_sha256)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dwh".prediction_log_rejected`);
  }
}
