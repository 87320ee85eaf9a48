import { Injectable } from '@nestjs/common';
import { ModelSpec, type ModelSpecApplyPlan, type ModelSpecApplyRequest, type ModelSpecRecord } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { Database } from '@mlp/service-kit';
import type { EntityManager } from 'typeorm';
import { checkSpecOwnership, planModelSpecs, specHash, type DeclaredSpec } from './model-spec-plan';
import { RunQueue } from '../training-runs/run-queue';
import { specProblems } from './model-spec-rules';

export { specHash } from './model-spec-plan';

interface ModelRow {
  name: string;
  spec: ModelSpec;
  spec_hash: string;
  project: string | null;
  created_at: Date;
  updated_at: Date;
}

const toRecord = (r: ModelRow): ModelSpecRecord => ({
  spec: r.spec,
  project: r.project,
  specHash: r.spec_hash,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const LIVE_COLUMNS = 'name, spec, spec_hash, project, created_at, updated_at';
/** Every write of specs holds this lock: plans are computed against a registry nobody changes meanwhile. */
const APPLY_LOCK = `SELECT pg_advisory_xact_lock(hashtext('trainer.model-specs.apply'))`;

/**
 * Declared models. A project applies its specs as a whole (`applyProject`); a single spec can be
 * declared without a project (`apply`), and then only if no project owns the name (or the caller
 * names the owner). Removed specs keep their registry row and history but are neither listed here
 * nor scheduled, triggered or trained.
 */
@Injectable()
export class ModelSpecsService {
  constructor(
    private readonly db: Database,
    private readonly queue: RunQueue,
  ) {}

  /**
   * Validates (schema, then semantic rules) and upserts one spec; answers whether it changed.
   * `project`: the owner the caller names (null: none). A spec another project owns is a 409;
   * an unowned one named with a project is adopted; a removed one is declared again.
   */
  async apply(input: unknown, project: string | null = null): Promise<{ record: ModelSpecRecord; created: boolean; changed: boolean }> {
    const parsed = ModelSpec.validate(input);
    if (!parsed.ok) throw PlatformError.badRequest('invalid model spec', parsed.violations, 'INVALID_MODEL_SPEC');
    const spec = parsed.value;
    const problems = specProblems(spec);
    if (problems.length) throw PlatformError.badRequest(`invalid model spec: ${problems.map((p) => p.message).join('; ')}`, problems, problems[0].code);
    const hash = specHash(spec);
    return this.db.transaction(async (m) => {
      await m.query(APPLY_LOCK);
      const current = await this.declared(m, [spec.name]);
      checkSpecOwnership(current, project, [spec.name]);
      const previous = current.get(spec.name);
      const row = await this.upsert(m, spec, hash, project);
      const created = !previous || previous.removed;
      return { record: toRecord(row), created, changed: created || previous.specHash !== hash || previous.project !== row.project };
    });
  }

  /**
   * A project's specs in one transaction: validated and ownership-checked as a whole, then written
   * (unless a dry run); a prune removes the project's specs that are not in the request.
   */
  async applyProject(req: ModelSpecApplyRequest): Promise<ModelSpecApplyPlan> {
    return this.db.transaction(async (m) => {
      await m.query(APPLY_LOCK);
      const { plan, upserts, removals } = planModelSpecs(await this.declared(m), req);
      if (!req.dry_run) {
        for (const spec of upserts) await this.upsert(m, spec, specHash(spec), req.project);
        if (removals.length) await this.remove(m, removals);
      }
      return { ...plan, dry_run: !!req.dry_run };
    });
  }

  /**
   * Takes specs out of service: the row stays (runs, versions, aliases and the audit log refer to
   * it), queued runs are cancelled and running ones asked to stop, and nothing schedules or
   * triggers them any more. Aliases are left alone: serving keeps the champion until an admin
   * moves it (`POST /v1/models/:name/aliases`).
   */
  private async remove(m: EntityManager, names: string[]): Promise<void> {
    await m.query(`UPDATE "registry".models SET removed_at = now(), updated_at = now() WHERE name = ANY($1::text[])`, [names]);
    await this.queue.stopActive(m, { models: names }, { message: 'the model spec was removed', code: 'MODEL_SPEC_REMOVED' });
  }

  private async upsert(m: EntityManager, spec: ModelSpec, hash: string, project: string | null): Promise<ModelRow> {
    const rows = (await m.query(
      `INSERT INTO "registry".models (name, spec, spec_hash, description, tags, project)
       VALUES ($1, $2::jsonb, $3, $4, $5::jsonb, $6)
       ON CONFLICT (name) DO UPDATE SET spec = EXCLUDED.spec, spec_hash = EXCLUDED.spec_hash, description = EXCLUDED.description,
         tags = EXCLUDED.tags, project = EXCLUDED.project, removed_at = NULL,
         updated_at = CASE WHEN "registry".models.spec_hash = EXCLUDED.spec_hash AND "registry".models.removed_at IS NULL
                             AND "registry".models.project IS NOT DISTINCT FROM EXCLUDED.project
                           THEN "registry".models.updated_at ELSE now() END
       RETURNING ${LIVE_COLUMNS}`,
      [spec.name, JSON.stringify(spec), hash, spec.description ?? null, JSON.stringify(spec.tags ?? {}), project],
    )) as ModelRow[];
    return rows[0];
  }

  /** The registry's specs (all, or these names), removed ones included: their names stay owned. */
  private async declared(m: EntityManager, names?: string[]): Promise<Map<string, DeclaredSpec>> {
    const rows = (await m.query(
      `SELECT name, spec, spec_hash, project, removed_at IS NOT NULL AS removed FROM "registry".models ${names ? 'WHERE name = ANY($1::text[])' : ''}`,
      names ? [names] : [],
    )) as Array<{ name: string; spec: ModelSpec; spec_hash: string; project: string | null; removed: boolean }>;
    return new Map(rows.map((r) => [r.name, { spec: r.spec, specHash: r.spec_hash, project: r.project, removed: r.removed }]));
  }

  async get(name: string): Promise<ModelSpecRecord> {
    const [row] = await this.db.query<ModelRow>(`SELECT ${LIVE_COLUMNS} FROM "registry".models WHERE name = $1 AND removed_at IS NULL`, [name]);
    if (!row) throw PlatformError.notFound(`model ${name} is not declared`, 'MODEL_NOT_FOUND');
    return toRecord(row);
  }

  async list(project?: string): Promise<ModelSpecRecord[]> {
    const rows = await this.db.query<ModelRow>(
      `SELECT ${LIVE_COLUMNS} FROM "registry".models WHERE removed_at IS NULL AND ($1::text IS NULL OR project = $1) ORDER BY name`,
      [project ?? null],
    );
    return rows.map(toRecord);
  }
}
