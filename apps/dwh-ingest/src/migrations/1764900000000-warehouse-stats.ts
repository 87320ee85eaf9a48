import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the warehouse's aggregate answers (`GET /v1/events/stats`, `/v1/lineage`, `/v1/imports/runs`)
 * need to stay fast with millions of rows:
 *
 * - `failed_event_counts`: failed events per hour, event and set of codes, kept exact by statement
 *   triggers on `failed_events` (insert, update of codes or event, delete), so counting rejections,
 *   top codes and top events reads a few rows per hour instead of every failed event. Statement
 *   triggers with transition tables: one aggregate per write, whoever writes (tracking's group commit,
 *   replay, a retention job, psql). Keys are upserted in order so concurrent writers cannot deadlock.
 * - `tracking_duplicates`: duplicates per hour (a duplicate is not stored, so nothing else remembers it).
 * - imports by start time; the latest data test result per model and test.
 */
export class WarehouseStats1764900000000 implements MigrationInterface {
  name = 'WarehouseStats1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "dwh".failed_event_counts (
      hour timestamptz NOT NULL,
      has_event boolean NOT NULL,
      event text NOT NULL,
      codes text[] NOT NULL,
      messages bigint NOT NULL,
      PRIMARY KEY (hour, has_event, event, codes)
    )`);
    // Adds the signed counts of a transition table's rows (+1 for new rows, -1 for old ones).
    const add = (rows: 'new_rows' | 'old_rows', sign: 1 | -1) => `
      INSERT INTO "dwh".failed_event_counts AS c (hour, has_event, event, codes, messages)
      SELECT date_bin('1 hour', received_at, timestamptz '1970-01-01 00:00:00+00'), event IS NOT NULL, coalesce(event, ''), codes, ${sign} * count(*)
        FROM ${rows} GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
      ON CONFLICT (hour, has_event, event, codes) DO UPDATE SET messages = c.messages + EXCLUDED.messages;`;
    await q.query(`CREATE FUNCTION "dwh".failed_events_counted() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN ${add('old_rows', -1)}
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN ${add('new_rows', 1)}
        END IF;
        IF TG_OP <> 'INSERT' THEN
          DELETE FROM "dwh".failed_event_counts
           WHERE messages = 0 AND hour IN (SELECT date_bin('1 hour', received_at, timestamptz '1970-01-01 00:00:00+00') FROM old_rows);
        END IF;
        RETURN NULL;
      END
    $$`);
    await q.query(`CREATE TRIGGER failed_events_counted_insert AFTER INSERT ON "dwh".failed_events REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "dwh".failed_events_counted()`);
    await q.query(`CREATE TRIGGER failed_events_counted_update AFTER UPDATE ON "dwh".failed_events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "dwh".failed_events_counted()`);
    await q.query(`CREATE TRIGGER failed_events_counted_delete AFTER DELETE ON "dwh".failed_events REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "dwh".failed_events_counted()`);
    await q.query(`INSERT INTO "dwh".failed_event_counts (hour, has_event, event, codes, messages)
      SELECT date_bin('1 hour', received_at, timestamptz '1970-01-01 00:00:00+00'), event IS NOT NULL, coalesce(event, ''), codes, count(*)
        FROM "dwh".failed_events GROUP BY 1, 2, 3, 4`);

    await q.query(`CREATE TABLE "dwh".tracking_duplicates (hour timestamptz PRIMARY KEY, duplicates bigint NOT NULL)`);
    await q.query(`CREATE INDEX imports_started_idx ON "dwh".imports (started_at, id)`);
    await q.query(`CREATE INDEX data_test_results_model_test_idx ON "dwh".data_test_results (model, test, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "dwh".data_test_results_model_test_idx`);
    await q.query(`DROP INDEX "dwh".imports_started_idx`);
    await q.query(`DROP TABLE "dwh".tracking_duplicates`);
    for (const t of ['insert', 'update', 'delete']) await q.query(`DROP TRIGGER failed_events_counted_${t} ON "dwh".failed_events`);
    await q.query(`DROP FUNCTION "dwh".failed_events_counted()`);
    await q.query(`DROP TABLE "dwh".failed_event_counts`);
  }
}
