import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ModelSpec, type ModelSpecRecord } from '@mlp/contracts';
import { PlatformError, type Logger } from '@mlp/runtime';
import { Database, PLATFORM_CONFIG, PLATFORM_LOGGER, type PlatformConfig } from '@mlp/service-kit';
import { canonicalJson, sha256Hex } from '../artifacts/artifact-codec';
import { DEMO_MODEL_SPECS } from './demo-model-specs';
import { specProblems } from './model-spec-rules';

interface ModelRow {
  name: string;
  spec: ModelSpec;
  spec_hash: string;
  created_at: Date;
  updated_at: Date;
}

export const specHash = (spec: ModelSpec): string => sha256Hex(canonicalJson(spec));

const toRecord = (r: ModelRow): ModelSpecRecord => ({ spec: r.spec, specHash: r.spec_hash, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() });

/** Declared models: applied from code at start (the demo spec) and through the admin API. */
@Injectable()
export class ModelSpecsService implements OnApplicationBootstrap {
  constructor(
    private readonly db: Database,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.env['TRAINER_DEMO_SPECS'] === false) return;
    void this.db
      .whenReady()
      .then(async () => {
        for (const spec of DEMO_MODEL_SPECS) await this.apply(spec);
        this.log.info({ models: DEMO_MODEL_SPECS.map((s) => s.name) }, 'demo model specs applied');
      })
      .catch((err) => this.log.warn({ err: String(err) }, 'could not apply the demo model specs'));
  }

  /** Validates (schema, then semantic rules) and upserts a spec; answers whether it changed. */
  async apply(input: unknown): Promise<{ record: ModelSpecRecord; created: boolean; changed: boolean }> {
    const parsed = ModelSpec.validate(input);
    if (!parsed.ok) throw PlatformError.badRequest('invalid model spec', parsed.violations, 'INVALID_MODEL_SPEC');
    const spec = parsed.value;
    const problems = specProblems(spec);
    if (problems.length) throw PlatformError.badRequest(`invalid model spec: ${problems.map((p) => p.message).join('; ')}`, problems, problems[0].code);
    const hash = specHash(spec);
    const [row] = await this.db.query<ModelRow & { inserted: boolean; previous_hash: string | null }>(
      `WITH previous AS (SELECT spec_hash FROM "registry".models WHERE name = $1)
       INSERT INTO "registry".models (name, spec, spec_hash, description, tags)
       VALUES ($1, $2::jsonb, $3, $4, $5::jsonb)
       ON CONFLICT (name) DO UPDATE SET spec = EXCLUDED.spec, spec_hash = EXCLUDED.spec_hash, description = EXCLUDED.description,
         tags = EXCLUDED.tags, updated_at = CASE WHEN "registry".models.spec_hash = EXCLUDED.spec_hash THEN "registry".models.updated_at ELSE now() END
       RETURNING name, spec, spec_hash, created_at, updated_at, (xmax = 0) AS inserted, (SELECT spec_hash FROM previous) AS previous_hash`,
      [spec.name, JSON.stringify(spec), hash, spec.description ?? null, JSON.stringify(spec.tags ?? {})],
    );
    return { record: toRecord(row), created: row.inserted, changed: row.previous_hash !== hash };
  }

  async get(name: string): Promise<ModelSpecRecord> {
    const [row] = await this.db.query<ModelRow>(`SELECT name, spec, spec_hash, created_at, updated_at FROM "registry".models WHERE name = $1`, [name]);
    if (!row) throw PlatformError.notFound(`model ${name} is not declared`, 'MODEL_NOT_FOUND');
    return toRecord(row);
  }

  async list(): Promise<ModelSpecRecord[]> {
    const rows = await this.db.query<ModelRow>(`SELECT name, spec, spec_hash, created_at, updated_at FROM "registry".models ORDER BY name`);
    return rows.map(toRecord);
  }
}
