import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One tie rule for rows of the same entity and event time, offline and online: the latest
 * written wins, by a write sequence. Every pushed row takes the next number of
 * `features.write_seq` (rows of one push in request order); source (mart) rows count as 0, so a
 * pushed row wins a tie against the mart. Offline pushes keep their number (`write_seq`), the
 * PostgreSQL online store keeps the number of the value it holds (0 for values written before
 * this migration, which were materialized or pushed without one). Rows pushed before this
 * migration are numbered in the order they were stored (their id), so from now on the later of
 * two tied pushes wins offline too (before, training sets took the first and online the last).
 */
export class WriteSequence1764300000000 implements MigrationInterface {
  name = 'WriteSequence1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE "features".write_seq AS bigint`);
    await q.query(`ALTER TABLE "features".offline_pushes ADD COLUMN write_seq bigint`);
    await q.query(`UPDATE "features".offline_pushes SET write_seq = id`);
    await q.query(`SELECT setval('"features".write_seq', greatest((SELECT max(id) FROM "features".offline_pushes), 0) + 1, false)`);
    await q.query(`ALTER TABLE "features".offline_pushes ALTER COLUMN write_seq SET DEFAULT nextval('"features".write_seq'), ALTER COLUMN write_seq SET NOT NULL`);
    // A constant default: no table rewrite.
    await q.query(`ALTER TABLE "features".online_values ADD COLUMN write_seq bigint NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "features".online_values DROP COLUMN write_seq`);
    await q.query(`ALTER TABLE "features".offline_pushes DROP COLUMN write_seq`);
    await q.query(`DROP SEQUENCE "features".write_seq`);
  }
}
