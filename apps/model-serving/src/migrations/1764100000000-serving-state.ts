import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Traffic policies per model, explicit drift baselines, and when drift was last reported. */
export class ServingState1764100000000 implements MigrationInterface {
  name = 'ServingState1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "serving".traffic_policies (
      model text PRIMARY KEY,
      policy jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(`CREATE TABLE "serving".drift_baselines (
      model text NOT NULL,
      version integer NOT NULL,
      baseline jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (model, version)
    )`);
    await q.query(`CREATE TABLE "serving".drift_alerts (
      model text NOT NULL,
      version integer NOT NULL,
      last_alert_at timestamptz NOT NULL,
      -- names of the features in breach at the last alert: a newly drifting feature alerts again
      features jsonb NOT NULL,
      PRIMARY KEY (model, version)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "serving".drift_alerts`);
    await q.query(`DROP TABLE "serving".drift_baselines`);
    await q.query(`DROP TABLE "serving".traffic_policies`);
  }
}
