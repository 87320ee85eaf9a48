import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Projects own their registry objects: `project` on entities, feature services, every feature view
 * version and the view's head (the name's owner). NULL is an unowned (legacy) object, adopted by the
 * first project that applies it. A removed view keeps its head row, so its name stays its project's.
 */
export class ProjectOwnership1764500000000 implements MigrationInterface {
  name = 'ProjectOwnership1764500000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['entities', 'feature_views', 'feature_view_heads', 'feature_services']) {
      await q.query(`ALTER TABLE "features".${table} ADD COLUMN project text CHECK (project ~ '^[a-z][a-z0-9-]{0,62}$')`);
    }
    await q.query(`CREATE INDEX feature_view_heads_project_idx ON "features".feature_view_heads (project)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "features".feature_view_heads_project_idx`);
    for (const table of ['entities', 'feature_views', 'feature_view_heads', 'feature_services']) {
      await q.query(`ALTER TABLE "features".${table} DROP COLUMN project`);
    }
  }
}
