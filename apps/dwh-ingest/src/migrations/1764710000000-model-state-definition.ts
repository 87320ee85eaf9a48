import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Models now come from applied project definitions: the runner remembers which definition each
 * model was last built from, so a changed definition rebuilds (tables) or replaces (views) it.
 */
export class ModelStateDefinition1764710000000 implements MigrationInterface {
  name = 'ModelStateDefinition1764710000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dwh".model_state ADD COLUMN definition_sha256 text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "dwh".model_state DROP COLUMN definition_sha256`);
  }
}
