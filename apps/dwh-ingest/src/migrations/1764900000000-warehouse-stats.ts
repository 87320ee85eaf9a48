import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the warehouse's aggregate answers (`GET /v1/events/stats`, `/v1/lineage`, `/v1/imports/runs`)
 * need to stay fast over millions of rows: failed events by received time with their event and codes
 * in the index (an index-only scan counts them per hour, code and event), duplicates counted per hour
 * (a duplicate is not stored, so nothing else remembers it), imports by start time, and the latest
 * data test result per model and test.
 */
export class WarehouseStats1764900000000 implements MigrationInterface {
  name = 'WarehouseStats1764900000000';

  async up(q: QueryRunner): Promise<void> {
    // Same leading columns as before (the list's range filter still uses it), plus what the stats read.
    await q.query(`DROP INDEX "dwh".failed_events_received_idx`);
    await q.query(`CREATE INDEX failed_events_received_idx ON "dwh".failed_events (received_at, id) INCLUDE (event, codes)`);
    await q.query(`CREATE TABLE "dwh".tracking_duplicates (hour timestamptz PRIMARY KEY, duplicates bigint NOT NULL)`);
    await q.query(`CREATE INDEX imports_started_idx ON "dwh".imports (started_at, id)`);
    await q.query(`CREATE INDEX data_test_results_model_test_idx ON "dwh".data_test_results (model, test, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "dwh".data_test_results_model_test_idx`);
    await q.query(`DROP INDEX "dwh".imports_started_idx`);
    await q.query(`DROP TABLE "dwh".tracking_duplicates`);
    await q.query(`DROP INDEX "dwh".failed_events_received_idx`);
    await q.query(`CREATE INDEX failed_events_received_idx ON "dwh".failed_events (received_at, id)`);
  }
}
