import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The demo's ground-truth import source and its mart (now declared by the demo project and adopted by its apply). */
export class TruePropensitySource1764300000000 implements MigrationInterface {
  name = 'TruePropensitySource1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "dwh".src_true_propensity (
      import_id uuid NOT NULL,
      row_number bigint NOT NULL,
      user_id text NOT NULL,
      as_of_date date NOT NULL,
      p_order_7d numeric(9,6) NOT NULL,
      loaded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (import_id, row_number)
    )`);
    await q.query(`CREATE INDEX src_true_propensity_user_day_idx ON "dwh".src_true_propensity (user_id, as_of_date)`);
    // Published like every mart, so label queries (which may read only marts) can use it.
    await q.query(`CREATE TABLE "dwh".mart_true_propensity (
      user_id text NOT NULL, as_of_date date NOT NULL, p_order_7d double precision NOT NULL, updated_at timestamptz NOT NULL,
      PRIMARY KEY (user_id, as_of_date))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dwh".mart_true_propensity`);
    await q.query(`DROP TABLE "dwh".src_true_propensity`);
  }
}
