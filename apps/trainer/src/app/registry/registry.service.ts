import { Injectable } from '@nestjs/common';
import { ModelPromotedEvent, type GateDecision, type ModelVersionWithArtifact } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { Database, Outbox } from '@mlp/service-kit';
import type { EntityManager } from 'typeorm';
import { decodeCursor, encodeCursor, isVersionKey } from '../pagination/page-cursor';
import { ArtifactIntegrityError, decodeArtifact } from '../artifacts/artifact-codec';

export type AliasName = 'champion' | 'challenger';

interface VersionRow {
  model: string;
  version: number;
  run_id: string | null;
  algorithm: string;
  sha256: string;
  metrics: Record<string, Record<string, number>>;
  lineage: Record<string, unknown>;
  gate: GateDecision | null;
  status: string;
  tags: Record<string, string>;
  description: string | null;
  created_at: Date;
  aliases: string[] | null;
}

const VERSION_COLUMNS = `v.model, v.version, v.run_id, v.algorithm, v.sha256, v.metrics, v.lineage, v.gate, v.status, v.tags, v.description, v.created_at,
  (SELECT array_agg(a.alias ORDER BY a.alias) FROM "registry".model_aliases a WHERE a.model = v.model AND a.version = v.version) AS aliases`;

const toVersion = (r: VersionRow) => ({
  model: r.model,
  version: r.version,
  algorithm: r.algorithm,
  aliases: r.aliases ?? [],
  status: r.status,
  sha256: r.sha256,
  metrics: r.metrics,
  lineage: r.lineage,
  gate: r.gate,
  tags: r.tags,
  description: r.description,
  runId: r.run_id,
  createdAt: r.created_at.toISOString(),
});

/** Refuses an artifact whose bytes no longer match the registered sha256 (409 ARTIFACT_INTEGRITY_FAILED). */
export function verifiedArtifactJson(bytes: Buffer, sha256: string, model: string, version: number): string {
  const json = bytes.toString('utf8');
  try {
    decodeArtifact(json, sha256);
  } catch (e) {
    if (e instanceof ArtifactIntegrityError) {
      throw new PlatformError(409, e.code, `artifact of ${model} v${version} failed its integrity check and is refused`, [
        { code: e.code, message: `expected sha256 ${e.expected}, stored bytes hash to ${e.actual}` },
      ]);
    }
    throw new PlatformError(409, 'ARTIFACT_INVALID', `artifact of ${model} v${version} is not a valid mlp-model/v1 artifact`, [{ message: String(e) }]);
  }
  return json;
}

/** The model registry: versions with artifacts and lineage, aliases, and the append-only alias audit log. */
@Injectable()
export class RegistryService {
  constructor(
    private readonly db: Database,
    private readonly outbox: Outbox,
  ) {}

  async listModels() {
    const rows = await this.db.query<{
      name: string;
      description: string | null;
      tags: Record<string, string>;
      feature_service: string;
      task: string;
      latest_version: number | null;
      champion: number | null;
      challenger: number | null;
      created_at: Date;
      updated_at: Date;
    }>(
      `SELECT m.name, m.description, m.tags, m.spec->>'featureService' AS feature_service, m.spec->>'task' AS task, m.created_at, m.updated_at,
              (SELECT max(version) FROM "registry".model_versions v WHERE v.model = m.name) AS latest_version,
              (SELECT version FROM "registry".model_aliases a WHERE a.model = m.name AND a.alias = 'champion') AS champion,
              (SELECT version FROM "registry".model_aliases a WHERE a.model = m.name AND a.alias = 'challenger') AS challenger
         FROM "registry".models m ORDER BY m.name`,
    );
    return rows.map((r) => ({
      name: r.name,
      description: r.description,
      tags: r.tags,
      featureService: r.feature_service,
      task: r.task,
      latestVersion: r.latest_version,
      aliases: { champion: r.champion, challenger: r.challenger },
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
    }));
  }

  async getModel(name: string) {
    const model = (await this.listModels()).find((m) => m.name === name);
    if (!model) throw PlatformError.notFound(`model ${name} not found`, 'MODEL_NOT_FOUND');
    const [spec] = await this.db.query<{ spec: unknown; spec_hash: string }>(`SELECT spec, spec_hash FROM "registry".models WHERE name = $1`, [name]);
    return { ...model, spec: spec.spec, specHash: spec.spec_hash };
  }

  /** A page of versions, newest first, after the version a cursor names; the next page's cursor (null on the last). */
  async listVersions(name: string, page: { limit: number; cursor?: string }) {
    const after = page.cursor === undefined ? null : decodeCursor(page.cursor, isVersionKey)[0];
    await this.getModel(name);
    const rows = await this.db.query<VersionRow>(
      `SELECT ${VERSION_COLUMNS} FROM "registry".model_versions v WHERE v.model = $1 AND ($2::int IS NULL OR v.version < $2) ORDER BY v.version DESC LIMIT $3`,
      [name, after, page.limit + 1],
    );
    const versions = rows.slice(0, page.limit).map(toVersion);
    return { versions, nextCursor: rows.length > page.limit ? encodeCursor([versions[versions.length - 1].version]) : null };
  }

  async getVersion(name: string, version: number) {
    const [row] = await this.db.query<VersionRow>(`SELECT ${VERSION_COLUMNS} FROM "registry".model_versions v WHERE v.model = $1 AND v.version = $2`, [name, version]);
    if (!row) throw PlatformError.notFound(`model ${name} has no version ${version}`, 'VERSION_NOT_FOUND');
    return toVersion(row);
  }

  /** The artifact's canonical JSON, only after its sha256 checks out. */
  async getArtifact(name: string, version: number): Promise<{ json: string; sha256: string }> {
    const [row] = await this.db.query<{ artifact: Buffer; sha256: string }>(`SELECT artifact, sha256 FROM "registry".model_versions WHERE model = $1 AND version = $2`, [name, version]);
    if (!row) throw PlatformError.notFound(`model ${name} has no version ${version}`, 'VERSION_NOT_FOUND');
    return { json: verifiedArtifactJson(row.artifact, row.sha256, name, version), sha256: row.sha256 };
  }

  /** A version by number or alias (champion by default) with its verified artifact, for the transport message. */
  async resolveWithArtifact(name: string, ref: { version?: number; alias?: AliasName }): Promise<ModelVersionWithArtifact> {
    let version = ref.version;
    if (version === undefined) {
      const alias = ref.alias ?? 'champion';
      const [a] = await this.db.query<{ version: number }>(`SELECT version FROM "registry".model_aliases WHERE model = $1 AND alias = $2`, [name, alias]);
      if (!a) throw PlatformError.notFound(`model ${name} has no ${alias}`, 'ALIAS_NOT_SET');
      version = a.version;
    }
    const [row] = await this.db.query<{ artifact: Buffer; sha256: string; created_at: Date; aliases: string[] | null }>(
      `SELECT v.artifact, v.sha256, v.created_at,
              (SELECT array_agg(a.alias ORDER BY a.alias) FROM "registry".model_aliases a WHERE a.model = v.model AND a.version = v.version) AS aliases
         FROM "registry".model_versions v WHERE v.model = $1 AND v.version = $2`,
      [name, version],
    );
    if (!row) throw PlatformError.notFound(`model ${name} has no version ${version}`, 'VERSION_NOT_FOUND');
    const artifactJson = verifiedArtifactJson(row.artifact, row.sha256, name, version);
    return { model: name, version, aliases: row.aliases ?? [], sha256: row.sha256, artifactJson, createdAt: row.created_at.toISOString() };
  }

  async listAliases() {
    const rows = await this.db.query<{ model: string; champion: number | null; challenger: number | null }>(
      `SELECT m.name AS model,
              (SELECT version FROM "registry".model_aliases a WHERE a.model = m.name AND a.alias = 'champion') AS champion,
              (SELECT version FROM "registry".model_aliases a WHERE a.model = m.name AND a.alias = 'challenger') AS challenger
         FROM "registry".models m ORDER BY m.name`,
    );
    return { models: rows };
  }

  /**
   * Moves an alias inside the caller's transaction: the alias row, one audit entry (who, when, from,
   * to, why) and the `model.promoted.v1` event through the outbox commit together or not at all.
   */
  async moveAliasIn(
    m: EntityManager,
    input: { model: string; alias: AliasName; version: number | null; actor: string; reason: string; runId?: string | null; metrics?: Record<string, number> },
  ): Promise<{ previousVersion: number | null; changed: boolean }> {
    const [current] = (await m.query(`SELECT version FROM "registry".model_aliases WHERE model = $1 AND alias = $2 FOR UPDATE`, [input.model, input.alias])) as Array<{ version: number }>;
    const previousVersion = current?.version ?? null;
    if (previousVersion === input.version) return { previousVersion, changed: false };
    if (input.version === null) await m.query(`DELETE FROM "registry".model_aliases WHERE model = $1 AND alias = $2`, [input.model, input.alias]);
    else
      await m.query(
        `INSERT INTO "registry".model_aliases (model, alias, version) VALUES ($1, $2, $3)
         ON CONFLICT (model, alias) DO UPDATE SET version = EXCLUDED.version, updated_at = now()`,
        [input.model, input.alias, input.version],
      );
    const [audit] = (await m.query(
      `INSERT INTO "registry".alias_audit (model, alias, from_version, to_version, actor, reason, run_id) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING at`,
      [input.model, input.alias, previousVersion, input.version, input.actor, input.reason, input.runId ?? null],
    )) as Array<{ at: Date }>;
    await this.outbox.publish(
      ModelPromotedEvent,
      {
        model: input.model,
        alias: input.alias,
        version: input.version,
        previousVersion,
        reason: input.reason,
        ...(input.metrics ? { metrics: input.metrics } : {}),
        at: audit.at.toISOString(),
      },
      m,
    );
    return { previousVersion, changed: true };
  }

  /** An admin moves an alias (rollback, manual promotion). */
  async moveAlias(model: string, body: { alias: AliasName; version: number | null; reason: string }, actor: string) {
    return this.db.transaction(async (m) => {
      const [exists] = (await m.query(`SELECT name FROM "registry".models WHERE name = $1 FOR UPDATE`, [model])) as unknown[];
      if (!exists) throw PlatformError.notFound(`model ${model} not found`, 'MODEL_NOT_FOUND');
      if (body.version !== null) {
        const [v] = (await m.query(`SELECT artifact, sha256 FROM "registry".model_versions WHERE model = $1 AND version = $2`, [model, body.version])) as Array<{ artifact: Buffer; sha256: string }>;
        if (!v) throw PlatformError.notFound(`model ${model} has no version ${body.version}`, 'VERSION_NOT_FOUND');
        // Never point serving at an artifact that would be refused on load.
        verifiedArtifactJson(v.artifact, v.sha256, model, body.version);
      }
      const { previousVersion, changed } = await this.moveAliasIn(m, { model, alias: body.alias, version: body.version, actor, reason: body.reason });
      return { model, alias: body.alias, version: body.version, previousVersion, changed };
    });
  }

  async audit(name: string) {
    await this.getModel(name);
    const rows = await this.db.query<{ id: string; alias: string; from_version: number | null; to_version: number | null; actor: string; reason: string; run_id: string | null; at: Date }>(
      `SELECT id, alias, from_version, to_version, actor, reason, run_id, at FROM "registry".alias_audit WHERE model = $1 ORDER BY id`,
      [name],
    );
    return {
      model: name,
      entries: rows.map((r) => ({ id: Number(r.id), alias: r.alias, from: r.from_version, to: r.to_version, actor: r.actor, reason: r.reason, runId: r.run_id, at: r.at.toISOString() })),
    };
  }
}
