import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The fields of Segment's page, screen, group and alias calls in `dwh.events`: `category`
 * (page/screen), `group_id` (group), `previous_id` (alias), and `schema_name`, the tracking plan
 * schema a row was checked against when that is not its `event` (a page named `Product Detail`
 * checked against `page_product_detail` or `page`); NULL otherwise, so a row's schema is
 * `coalesce(schema_name, event)`, which the registry's history check of a new ADDITION reads (rows
 * loaded before have NULL and were checked against their event). All nullable: adding them
 * rewrites nothing.
 */
export class SegmentCalls1764800000000 implements MigrationInterface {
  name = 'SegmentCalls1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dwh".events ADD COLUMN schema_name text, ADD COLUMN category text, ADD COLUMN group_id text, ADD COLUMN previous_id text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dwh".events DROP COLUMN schema_name, DROP COLUMN category, DROP COLUMN group_id, DROP COLUMN previous_id`);
  }
}
