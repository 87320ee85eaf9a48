import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keyset pagination of the run lists (newest first: creation time, then id): one index for all
 * runs and one per model, each in the lists' exact order, so a page (first or deep) is an index
 * seek and a read of `limit` rows. The old per-model index lacked the id and is replaced.
 * (Versions page by their primary key, (model, version), already.)
 */
export class ListKeysetIndexes1765170000000 implements MigrationInterface {
  name = 'ListKeysetIndexes1765170000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX training_runs_created_idx ON "registry".training_runs (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX training_runs_model_created_idx ON "registry".training_runs (model, created_at DESC, id DESC)`);
    await q.query(`DROP INDEX "registry".training_runs_model_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX training_runs_model_idx ON "registry".training_runs (model, created_at DESC)`);
    await q.query(`DROP INDEX "registry".training_runs_model_created_idx`);
    await q.query(`DROP INDEX "registry".training_runs_created_idx`);
  }
}
