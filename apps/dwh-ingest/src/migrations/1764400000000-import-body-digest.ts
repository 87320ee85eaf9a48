import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SHA-256 of each import's body, so a reused Idempotency-Key can be told apart: the same body
 * replays the import, a different body is refused (imports made before this have no digest).
 */
export class ImportBodyDigest1764400000000 implements MigrationInterface {
  name = 'ImportBodyDigest1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dwh".imports ADD COLUMN body_sha256 text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dwh".imports DROP COLUMN body_sha256`);
  }
}
