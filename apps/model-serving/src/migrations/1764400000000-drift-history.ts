import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Input drift over time: each replica's bin counts of live inputs per model version, feature and
 * minute, against the baseline bins named by `baseline` (a fingerprint), written as deltas and summed
 * when read, so PSI over any time bucket covers every replica.
 */
export class DriftHistory1764400000000 implements MigrationInterface {
  name = 'DriftHistory1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "serving".drift_minutes (
      minute timestamptz NOT NULL,
      model text NOT NULL,
      version integer NOT NULL,
      feature text NOT NULL,
      baseline text NOT NULL,
      counts integer[] NOT NULL
    )`);
    await q.query(`CREATE INDEX drift_minutes_model_minute_idx ON "serving".drift_minutes (model, version, minute)`);
    await q.query(`CREATE INDEX drift_minutes_minute_idx ON "serving".drift_minutes (minute)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "serving".drift_minutes`);
  }
}
