import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Warehouse definitions applied by projects (`POST /v1/warehouse/apply`): each project's current
 * objects, one row per (kind, name) owned by exactly one project, and every applied version of each
 * project with who applied it, when, and the plan it produced.
 */
export class Projects1764700000000 implements MigrationInterface {
  name = 'Projects1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "dwh".projects (
        name text PRIMARY KEY,
        description text,
        owner text,
        version int NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        applied_by text
      )`);
    await q.query(`
      CREATE TABLE "dwh".project_versions (
        project text NOT NULL REFERENCES "dwh".projects (name) ON DELETE CASCADE,
        version int NOT NULL,
        request jsonb NOT NULL,
        plan jsonb NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        applied_by text,
        PRIMARY KEY (project, version)
      )`);
    // kind: source | event_schema | model | outcome | kpi. A name is global per kind: the project
    // that applied it first owns it until it prunes it.
    await q.query(`
      CREATE TABLE "dwh".project_objects (
        kind text NOT NULL,
        name text NOT NULL,
        project text NOT NULL REFERENCES "dwh".projects (name),
        definition jsonb NOT NULL,
        definition_sha256 text NOT NULL,
        version int NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kind, name)
      )`);
    await q.query(`CREATE INDEX project_objects_project_idx ON "dwh".project_objects (project, kind)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "dwh".project_objects`);
    await q.query(`DROP TABLE "dwh".project_versions`);
    await q.query(`DROP TABLE "dwh".projects`);
  }
}
