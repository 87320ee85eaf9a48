import type { MigrationInterface, QueryRunner } from 'typeorm';

/** KPI reports sent: one row per KPI and schedule occurrence, claimed by the replica that sends it (never two). */
export class KpiReports1764950000000 implements MigrationInterface {
  name = 'KpiReports1764950000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "dwh".kpi_reports (
      kpi text NOT NULL,
      scheduled_for timestamptz NOT NULL,
      webhook text NOT NULL,
      points integer NOT NULL,
      sent_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (kpi, scheduled_for)
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dwh".kpi_reports`);
  }
}
