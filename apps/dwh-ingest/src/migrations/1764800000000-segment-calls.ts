import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The fields of Segment's page, screen, group and alias calls in `dwh.events`: `category`
 * (page/screen), `group_id` (group), `previous_id` (alias), and `schema_name`, the tracking plan
 * schema a row was checked against (a page named `Product Detail` against `page_product_detail` or
 * `page`), which the registry's history check of a new ADDITION reads. Rows loaded before have
 * NULL there; for them the schema was their `event` (track) or `identify`. All nullable: adding
 * them rewrites nothing.
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
