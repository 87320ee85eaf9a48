import { Inject, Injectable } from '@nestjs/common';
import type { ApplyPlan, ApplyRequest, EntityDefinition, FeatureServiceDefinition, FeatureValueType, FeatureViewDefinition, SourceStatus } from '@mlp/contracts';
import { PlatformError, type Logger } from '@mlp/runtime';
import { Database, PLATFORM_LOGGER } from '@mlp/service-kit';
import { SessionPool } from '../database/session-pool';
import { computeApplyPlan, schemaHash, type RegisteredView, type RegistryOwners, type RegistrySnapshot } from './apply-plan';
import { entityJoinKeys } from './entity-key';
import { parseFeatureRef } from './feature-ref';
import { checkSourceColumns, checkSourceSqlText, MART_RELATION, relationsOfPlan } from './source-sql';

/** One feature view version as queries need it: the spec plus its entity's join key and type. */
export interface ResolvedView {
  name: string;
  version: number;
  /** Online-store key of this version, `view@vN`. */
  viewKey: string;
  spec: FeatureViewDefinition;
  /** The entity's join keys (one, or several for a composite key), in declaration order. */
  joinKeys: string[];
  /** Type of every join key value. */
  keyType: 'string' | 'int64';
  features: Array<{ name: string; type: FeatureValueType; outputName: string; ref: string }>;
  /** Taken out of online serving (see version-lifecycle.ts): readable offline only. */
  retired: boolean;
}

/** Shared between requests (cached per registry snapshot): never mutated after `resolve`. */
export interface ResolvedFeatures {
  views: ResolvedView[];
  /** Output names in request order. */
  featureNames: string[];
  /** The exact version of every output feature, `view@vN:feature`, in the order of `featureNames`. */
  resolvedRefs: string[];
  /** `view@vN` of the requested versions that are retired (online reads refuse them). */
  retired: string[];
}

/** A version's source status and life online, as stored. */
export interface VersionStatus {
  name: string;
  version: number;
  source_status: string;
  source_message: string | null;
  source_relations: string[];
  created_at: Date;
  superseded_at: Date | null;
  last_online_read_at: Date | null;
  retired_at: Date | null;
  retired_reason: string | null;
}

const CACHE_MS = 2000;
const RESOLVED_CACHE_SIZE = 1000;
const SOURCE_CHECK_TIMEOUT_MS = 10000;

/**
 * The registry of entities, versioned feature views and feature services. Reads come from a
 * snapshot cached for two seconds (online reads resolve references on every request), refreshed
 * at once after a local apply; applies are serialised with an advisory lock.
 */
@Injectable()
export class FeatureRegistry {
  private cache?: { at: number; snapshot: Promise<RegistrySnapshot>; value: RegistrySnapshot };

  constructor(
    private readonly db: Database,
    private readonly sessions: SessionPool,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  /**
   * The cached registry. After two seconds it is refreshed in the background while readers keep
   * the previous snapshot (stale-while-revalidate), so online reads never wait on the database for
   * definitions; a local apply drops the cache and the next read waits for the new one.
   */
  snapshot(): Promise<RegistrySnapshot> {
    return this.cachedSnapshot()?.snapshot ?? this.refresh();
  }

  /** The cached snapshot (starting a background refresh when it is stale), or undefined before the first load. */
  private cachedSnapshot(): { snapshot: Promise<RegistrySnapshot>; value: RegistrySnapshot } | undefined {
    const cached = this.cache;
    if (cached && Date.now() - cached.at > CACHE_MS && !this.refreshing) void this.refresh().catch(() => undefined);
    return cached;
  }

  private refreshing?: Promise<RegistrySnapshot>;
  private generation = 0;

  private refresh(): Promise<RegistrySnapshot> {
    if (this.refreshing) return this.refreshing;
    const generation = this.generation;
    const loading = this.load()
      .then((snapshot) => {
        // A load that started before an apply must not overwrite what the apply invalidated.
        if (generation === this.generation) this.cache = { at: Date.now(), snapshot: Promise.resolve(snapshot), value: snapshot };
        return snapshot;
      })
      .finally(() => {
        if (this.refreshing === loading) this.refreshing = undefined;
      });
    this.refreshing = loading;
    return loading;
  }

  invalidate(): void {
    this.generation++;
    this.cache = undefined;
    this.refreshing = undefined;
  }

  /** The registry as one transaction sees it (`m` holds the apply lock: nothing changes under it). */
  snapshotIn(m: { query(sql: string): Promise<unknown> }): Promise<RegistrySnapshot> {
    return this.load(async (sql) => (await m.query(sql)) as unknown[]);
  }

  private async load(query: (sql: string) => Promise<unknown[]> = (sql) => this.db.query(sql)): Promise<RegistrySnapshot> {
    const s = this.db.schema;
    // Sequential: inside apply these share one transaction's connection.
    type Owned = { project: string | null };
    const entities = (await query(`SELECT spec, project FROM "${s}".entities`)) as Array<{ spec: EntityDefinition } & Owned>;
    const views = (await query(`SELECT name, version, spec, retired_at IS NOT NULL AS retired FROM "${s}".feature_views`)) as Array<{ name: string; version: number; spec: FeatureViewDefinition; retired: boolean }>;
    const heads = (await query(`SELECT name, version, max_version, removed_at, project FROM "${s}".feature_view_heads`)) as Array<{ name: string; version: number; max_version: number; removed_at: Date | null } & Owned>;
    const services = (await query(`SELECT spec, project FROM "${s}".feature_services`)) as Array<{ spec: FeatureServiceDefinition } & Owned>;
    const owned = (rows: Array<[string, string | null]>) => new Map(rows.filter((r): r is [string, string] => r[1] !== null));
    const owners: RegistryOwners = {
      entities: owned(entities.map((e) => [e.spec.name, e.project])),
      views: owned(heads.map((h) => [h.name, h.project])),
      services: owned(services.map((x) => [x.spec.name, x.project])),
    };
    const viewMap = new Map<string, RegisteredView>();
    for (const h of heads) viewMap.set(h.name, { name: h.name, head: h.version, maxVersion: h.max_version, removed: !!h.removed_at, versions: new Map() });
    for (const v of views) {
      const reg = viewMap.get(v.name);
      if (!reg) continue;
      reg.versions.set(v.version, v.spec);
      if (v.retired) reg.retired = new Set([...(reg.retired ?? []), v.version]);
    }
    return {
      entities: new Map(entities.map((e) => [e.spec.name, e.spec])),
      views: viewMap,
      services: new Map(services.map((x) => [x.spec.name, x.spec])),
      owners,
    };
  }

  /**
   * Plans (and unless dry run, writes) a set of definitions in one transaction. Sources are checked
   * lazily. Who may apply `req.project` is the caller's business (assertProjectAccess); here names
   * owned by another project are refused and unowned ones are adopted (see computeApplyPlan).
   */
  async apply(req: ApplyRequest): Promise<ApplyPlan> {
    for (const v of req.feature_views ?? []) checkSourceSqlText(v.source.sql, `source SQL of ${v.name}`);
    const s = this.db.schema;
    const project = req.project ?? null;
    const result = await this.db.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('feature-store.apply'))`);
      const current = await this.load((sql) => m.query(sql));
      const plan = computeApplyPlan(current, req);
      const entitiesAfter = new Map(current.entities);
      for (const e of req.entities ?? []) entitiesAfter.set(e.name, e);
      const sources: SourceStatus[] = [];
      for (const op of plan.views) {
        if (op.op === 'remove') continue;
        const status = await this.checkSource(op.spec, entityJoinKeys(entitiesAfter.get(op.spec.entities[0])!));
        sources.push({ view: op.spec.name, version: op.version, ...status.result });
        if (status.result.status === 'INVALID') {
          throw PlatformError.badRequest(`source of feature view ${op.spec.name} is invalid: ${status.result.message}`, [{ code: 'INVALID_SOURCE', message: status.result.message ?? '' }], 'INVALID_SOURCE');
        }
        if (req.dry_run) continue;
        const params = [op.spec.name, op.version, JSON.stringify(op.spec), schemaHash(op.spec), status.result.status, status.result.message ?? null, status.relations];
        if (op.op === 'update') {
          await m.query(`UPDATE "${s}".feature_views SET spec = $3, schema_hash = $4, source_status = $5, source_message = $6, source_relations = $7, updated_at = now() WHERE name = $1 AND version = $2`, params);
        } else {
          // The version it replaces stops being the head now: its idle clock (retirement) starts.
          await m.query(`UPDATE "${s}".feature_views SET superseded_at = now() WHERE name = $1 AND superseded_at IS NULL`, [op.spec.name]);
          await m.query(`INSERT INTO "${s}".feature_views (name, version, spec, schema_hash, source_status, source_message, source_relations, project) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [...params, project]);
          // The planner refused names owned by another project, so the head's owner is ours or none yet.
          await m.query(
            `INSERT INTO "${s}".feature_view_heads (name, version, max_version, project) VALUES ($1, $2, $2, $3)
             ON CONFLICT (name) DO UPDATE SET version = $2, max_version = GREATEST(feature_view_heads.max_version, $2), removed_at = NULL, project = $3`,
            [op.spec.name, op.version, project],
          );
        }
      }
      if (!req.dry_run) {
        // Adopting an unowned view takes every version of it, and its head (the name).
        for (const name of plan.adopt.views) {
          await m.query(`UPDATE "${s}".feature_view_heads SET project = $2 WHERE name = $1 AND project IS NULL`, [name, project]);
          await m.query(`UPDATE "${s}".feature_views SET project = $2 WHERE name = $1 AND project IS NULL`, [name, project]);
        }
        for (const op of plan.views) if (op.op === 'remove') await m.query(`UPDATE "${s}".feature_view_heads SET removed_at = now() WHERE name = $1`, [op.name]);
        for (const e of plan.entities) {
          if (e.op === 'remove') await m.query(`DELETE FROM "${s}".entities WHERE name = $1`, [e.name]);
          else
            await m.query(`INSERT INTO "${s}".entities (name, spec, project) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET spec = $2, project = $3, updated_at = now()`, [
              e.spec.name,
              JSON.stringify(e.spec),
              project,
            ]);
        }
        for (const x of plan.services) {
          if (x.op === 'remove') await m.query(`DELETE FROM "${s}".feature_services WHERE name = $1`, [x.name]);
          else
            await m.query(`INSERT INTO "${s}".feature_services (name, spec, project) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET spec = $2, project = $3, updated_at = now()`, [
              x.spec.name,
              JSON.stringify(x.spec),
              project,
            ]);
        }
      }
      return { ...(req.project ? { project: req.project } : {}), dry_run: !!req.dry_run, created: plan.created, changed: plan.changed, removed: plan.removed, unchanged: plan.unchanged, sources };
    });
    if (!req.dry_run) this.invalidate();
    return result;
  }

  /**
   * Checks a source without reading data: its plan may only read `dwh.mart_*`, and its columns
   * must match the view. A mart that does not exist yet is SOURCE_MISSING, not an error.
   */
  async checkSource(view: FeatureViewDefinition, joinKeys: string[]): Promise<{ result: Omit<SourceStatus, 'view' | 'version'>; relations: string[] }> {
    checkSourceSqlText(view.source.sql, `source SQL of ${view.name}`);
    return this.sessions.with(async (c) => {
      await c.query('BEGIN READ ONLY');
      try {
        await c.query(`SET LOCAL statement_timeout = ${SOURCE_CHECK_TIMEOUT_MS}`);
        const plan = await c.query(`EXPLAIN (VERBOSE, FORMAT JSON) SELECT * FROM (${view.source.sql}) s`);
        const relations = relationsOfPlan(plan.rows[0]?.['QUERY PLAN']);
        const foreign = relations.filter((r) => !MART_RELATION(r));
        const names = [...new Set(relations.map((r) => `${r.schema}.${r.name}`))];
        if (foreign.length) {
          return { result: { status: 'INVALID' as const, message: `reads relations outside dwh.mart_*: ${[...new Set(foreign.map((r) => `${r.schema}.${r.name}`))].join(', ')}` }, relations: names };
        }
        const probe = await c.query(`SELECT * FROM (${view.source.sql}) s LIMIT 0`);
        const problems = checkSourceColumns(view, joinKeys, probe.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })));
        if (problems.length) return { result: { status: 'INVALID' as const, message: problems.join('; ') }, relations: names };
        return { result: { status: 'READY' as const }, relations: names };
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (code === '42P01' || code === '3F000') return { result: { status: 'SOURCE_MISSING' as const, message: (err as Error).message }, relations: [] };
        if (/^(42|22)/.test(code)) return { result: { status: 'INVALID' as const, message: (err as Error).message }, relations: [] };
        throw err;
      } finally {
        await c.query('ROLLBACK').catch(() => undefined);
      }
    });
  }

  /** Before SQL reads a source: a view that was not READY is re-checked; still not READY answers 409. */
  async ensureSourceReady(view: ResolvedView): Promise<void> {
    const [row] = await this.db.query<{ source_status: string }>(`SELECT source_status FROM "${this.db.schema}".feature_views WHERE name = $1 AND version = $2`, [view.name, view.version]);
    if (row?.source_status === 'READY') return;
    const status = await this.checkSource(view.spec, view.joinKeys);
    await this.db.query(
      `UPDATE "${this.db.schema}".feature_views SET source_status = $3, source_message = $4, source_relations = $5, updated_at = now() WHERE name = $1 AND version = $2`,
      [view.name, view.version, status.result.status, status.result.message ?? null, status.relations],
    );
    if (status.result.status !== 'READY') {
      const code = status.result.status === 'SOURCE_MISSING' ? 'SOURCE_MISSING' : 'INVALID_SOURCE';
      throw PlatformError.conflict(`the source of feature view ${view.viewKey} is not ready: ${status.result.message}`, [{ code, message: status.result.message ?? '' }], code);
    }
    this.log.info({ view: view.viewKey }, 'feature view source is ready');
  }

  /** Resolves a feature service or references to view versions; unknown names are 400s before any SQL. */
  async resolve(input: { feature_service?: string; features?: string[]; full_feature_names?: boolean }): Promise<ResolvedFeatures> {
    return this.resolveWith(await this.snapshot(), input);
  }

  /**
   * `resolve` without waiting when the registry is already cached (every online read after the
   * first): the same answer, the same errors (thrown), one promise less per request. Undefined
   * before the first load; the caller then awaits `resolve`.
   */
  resolveCached(input: { feature_service?: string; features?: string[]; full_feature_names?: boolean }): ResolvedFeatures | undefined {
    const cached = this.cachedSnapshot();
    return cached ? this.resolveWith(cached.value, input) : undefined;
  }

  private resolveWith(snap: RegistrySnapshot, input: { feature_service?: string; features?: string[]; full_feature_names?: boolean }): ResolvedFeatures {
    // Online reads resolve the same few services on every request: the answer is cached per
    // registry snapshot, so a refresh or an apply (a new snapshot) drops it. Errors are not cached.
    let cache = this.resolvedCache.get(snap);
    if (!cache) this.resolvedCache.set(snap, (cache = new Map()));
    const key = `${input.feature_service ?? ''}|${input.features?.join(',') ?? ''}|${input.full_feature_names ? 1 : 0}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const resolved = this.resolveIn(snap, input);
    if (cache.size >= RESOLVED_CACHE_SIZE) cache.clear();
    cache.set(key, resolved);
    return resolved;
  }

  private readonly resolvedCache = new WeakMap<RegistrySnapshot, Map<string, ResolvedFeatures>>();

  private resolveIn(snap: RegistrySnapshot, input: { feature_service?: string; features?: string[]; full_feature_names?: boolean }): ResolvedFeatures {
    let refs: string[];
    if (input.feature_service && input.features) throw PlatformError.badRequest('give either feature_service or features, not both', [], 'AMBIGUOUS_FEATURES');
    if (input.feature_service) {
      const svc = snap.services.get(input.feature_service);
      if (!svc) throw PlatformError.badRequest(`unknown feature service ${input.feature_service}`, [{ code: 'UNKNOWN_FEATURE_SERVICE', message: input.feature_service }], 'UNKNOWN_FEATURE_SERVICE');
      refs = svc.features;
    } else if (input.features?.length) refs = input.features;
    else throw PlatformError.badRequest('feature_service or features is required', [], 'NO_FEATURES');

    const byKey = new Map<string, ResolvedView>();
    const featureNames: string[] = [];
    const resolvedRefs: string[] = [];
    for (const ref of refs) {
      const p = parseFeatureRef(ref);
      const reg = snap.views.get(p.view);
      if (!reg || reg.removed) throw PlatformError.badRequest(`unknown feature view ${p.view}`, [{ code: 'UNKNOWN_FEATURE_VIEW', message: ref }], 'UNKNOWN_FEATURE_VIEW');
      const version = p.version ?? reg.head;
      const spec = reg.versions.get(version);
      if (!spec) throw PlatformError.badRequest(`unknown version ${ref}`, [{ code: 'UNKNOWN_FEATURE_VERSION', message: ref }], 'UNKNOWN_FEATURE_VERSION');
      const feature = spec.features.find((f) => f.name === p.feature);
      if (!feature) throw PlatformError.badRequest(`unknown feature ${ref}`, [{ code: 'UNKNOWN_FEATURE', message: ref }], 'UNKNOWN_FEATURE');
      const viewKey = `${p.view}@v${version}`;
      let view = byKey.get(viewKey);
      if (!view) {
        const entity = snap.entities.get(spec.entities[0]);
        if (!entity) throw PlatformError.conflict(`feature view ${viewKey} has no registered entity`, [], 'UNKNOWN_ENTITY');
        view = { name: p.view, version, viewKey, spec, joinKeys: entityJoinKeys(entity), keyType: entity.value_type, features: [], retired: !!reg.retired?.has(version) };
        byKey.set(viewKey, view);
      }
      const outputName = input.full_feature_names ? `${p.view}${p.version === undefined ? '' : `__v${version}`}__${p.feature}` : p.feature;
      if (featureNames.includes(outputName)) {
        throw PlatformError.badRequest(`feature name ${outputName} appears twice; use full_feature_names`, [{ code: 'DUPLICATE_FEATURE_NAME', message: outputName }], 'DUPLICATE_FEATURE_NAME');
      }
      featureNames.push(outputName);
      resolvedRefs.push(`${viewKey}:${feature.name}`);
      view.features.push({ name: feature.name, type: feature.type, outputName, ref });
    }
    const views = [...byKey.values()];
    return { views, featureNames, resolvedRefs, retired: views.filter((v) => v.retired).map((v) => v.viewKey) };
  }

  async sourceStatuses(): Promise<VersionStatus[]> {
    return this.db.query(
      `SELECT name, version, source_status, source_message, source_relations, created_at, superseded_at, last_online_read_at, retired_at, retired_reason
         FROM "${this.db.schema}".feature_views ORDER BY name, version`,
    );
  }
}

