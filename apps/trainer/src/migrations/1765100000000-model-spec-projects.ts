import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Model specs belong to projects (`POST /v1/model-specs/apply`): `project` names the owner (NULL: a
 * spec declared without one, adopted by the first project that applies it). A spec a project prunes
 * is not deleted, because its runs, versions, aliases and audit log reference it and stay readable:
 * `removed_at` takes it out of the declared specs, the scheduler and the retrain triggers. Its
 * name stays its project's.
 */
export class ModelSpecProjects1765100000000 implements MigrationInterface {
  name = 'ModelSpecProjects1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "registry".models
      ADD COLUMN project text CHECK (project ~ '^[a-z][a-z0-9-]{0,62}$'),
      ADD COLUMN removed_at timestamptz`);
    await q.query(`CREATE INDEX models_project_idx ON "registry".models (project)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "registry".models_project_idx`);
    await q.query(`ALTER TABLE "registry".models DROP COLUMN project, DROP COLUMN removed_at`);
  }
}
