import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCode,
  WarehouseApplyRequest,
  type EventSchemaDocument,
  type ProjectSummary,
  type SourceColumnType,
  type SourceDefinition,
  type WarehouseApplyPlan,
  type WarehouseModelDefinition,
  type WarehousePlanItem,
} from '@mlp/contracts';
import { isDependencyDown, PlatformError, requestContext, type Logger } from '@mlp/runtime';
import { asDependencyError, assertProjectAccess, Database, findTextProblem, Outbox, PLATFORM_LOGGER } from '@mlp/service-kit';
import { randomBytes } from 'node:crypto';
import type { QueryRunner } from 'typeorm';
import { kpiReportProblems } from '../kpis/kpi-report-schedule';
import { SchemaRegistry } from '../schemas/schema-registry.service';
import { parseSchemaVer, compareSchemaVer } from '../schemas/schemaver';
import { topologicalOrder } from '../transformations/model-dag';
import { quoteIdentifier as q } from '../warehouse/identifiers';
import { APPLY_LOCK, TRANSFORMATIONS_LOCK } from '../warehouse/locks';
import { analyseSelect, qualifyRelations, WAREHOUSE_SCHEMA, windowAsNull, withoutTerminator, bindModel } from '../warehouse/select-check';
import {
  analyseRequest,
  checkModelColumns,
  checkQueryColumns,
  definitionSha,
  diffObjects,
  eventSchemaKey,
  isBatchResultsTable,
  sourceTable,
  SOURCE_SYSTEM_COLUMNS,
  type Column,
  type PlannedModel,
  type RequestAnalysis,
  type StoredObject,
  type Violation,
} from './warehouse-plan';

const SCHEMA = WAREHOUSE_SCHEMA;
const rel = (name: string) => `"${SCHEMA}".${q(name)}`;

/** The PostgreSQL type of each declared source column type. */
export const SOURCE_PG_TYPES: Record<SourceColumnType, string> = {
  text: 'text',
  integer: 'integer',
  bigint: 'bigint',
  numeric: 'numeric',
  double: 'double precision',
  boolean: 'boolean',
  date: 'date',
  timestamptz: 'timestamp with time zone',
};
const baseType = (t: string) => t.replace(/\(.*\)$/, '').trim();

interface PhysicalColumn extends Column {
  notNull: boolean;
}
interface Physical {
  kind: 'table' | 'view';
  columns: PhysicalColumn[];
  primaryKey: string[];
}

interface ApplyState {
  req: WarehouseApplyRequest;
  violations: Violation[];
  /** Plan items by kind|name, for their readable changes. */
  items: Map<string, WarehousePlanItem>;
  fullRefresh: Set<string>;
}

/**
 * `POST /v1/warehouse/apply`: validates a project's warehouse definitions, compiles every model
 * against a scratch schema (PostgreSQL reports unknown columns and the output types), plans the
 * changes and commits them in one transaction, or rolls everything back (a dry run, or any refusal).
 */
@Injectable()
export class WarehouseApply {
  constructor(
    private readonly db: Database,
    private readonly registry: SchemaRegistry,
    private readonly outbox: Outbox,
    @Inject(PLATFORM_LOGGER) private readonly log: Logger,
  ) {}

  async apply(raw: unknown): Promise<WarehouseApplyPlan> {
    const checked = WarehouseApplyRequest.validate(raw);
    if (!checked.ok) throw PlatformError.badRequest('invalid warehouse definitions', checked.violations);
    const req = checked.value;
    // Definitions are stored as jsonb, which cannot hold U+0000 or lone surrogates.
    const text = findTextProblem(req);
    if (text) throw PlatformError.badRequest('invalid warehouse definitions', [text], text.code);
    const reports = kpiReportProblems(req.kpis ?? [], (name) => this.outbox.hasWebhook(name));
    if (reports.length) throw PlatformError.badRequest('invalid warehouse definitions', reports, reports[0].code);
    assertProjectAccess(req.project);
    await this.registry.current();
    const qr = this.db.source.createQueryRunner();
    let committed = false;
    try {
      await qr.connect();
      await qr.startTransaction();
      // One apply at a time: names are global, and the plan must see the state it changes.
      await qr.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [APPLY_LOCK]);
      await qr.query(`SET LOCAL lock_timeout = '15s'`);
      // Relations change under no running build: wait up to the lock timeout for a run to finish.
      try {
        await qr.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [TRANSFORMATIONS_LOCK]);
      } catch (err) {
        if ((err as { code?: string }).code === '55P03') throw PlatformError.conflict('a transformation run is in progress; apply again when it has finished', [], 'RUN_IN_PROGRESS');
        throw err;
      }
      const plan = await this.plan(qr, req);
      if (req.dry_run || plan.version === -1) {
        await qr.rollbackTransaction();
      } else {
        await qr.commitTransaction();
        committed = true;
      }
      if (committed && (req.event_schemas ?? []).length) await this.registry.refresh(true);
      if (plan.version === -1) plan.version = await this.currentVersion(req.project);
      this.log.info({ project: req.project, dryRun: !!req.dry_run, version: plan.version, created: plan.created.length, changed: plan.changed.length, removed: plan.removed.length }, 'warehouse definitions applied');
      return plan;
    } catch (err) {
      if (qr.isTransactionActive) await qr.rollbackTransaction().catch(() => undefined);
      if (err instanceof PlatformError || isDependencyDown(err)) throw asDependencyError(err);
      if ((err as { code?: string }).code === '55P03') throw PlatformError.conflict('a relation of this project is busy (a transformation run holds it); try again', [], 'RELATION_BUSY');
      throw err;
    } finally {
      await qr.release().catch(() => undefined);
    }
  }

  private async currentVersion(project: string): Promise<number> {
    const [p] = await this.db.query<{ version: number }>(`SELECT version FROM "dwh".projects WHERE name = $1`, [project]);
    return p?.version ?? 0;
  }

  /** Everything inside the apply transaction; returns version -1 when nothing is to be written. */
  private async plan(qr: QueryRunner, req: WarehouseApplyRequest): Promise<WarehouseApplyPlan> {
    const stored: StoredObject[] = await qr.query(`SELECT kind, name, project, definition, definition_sha256 FROM "dwh".project_objects`);
    const analysis = await analyseRequest(req, stored);
    if (analysis.conflicts.length) {
      const [first] = analysis.conflicts;
      throw PlatformError.conflict(
        `${first.kind} ${first.name} is owned by project ${first.owner}${analysis.conflicts.length > 1 ? ` (and ${analysis.conflicts.length - 1} more names of other projects)` : ''}`,
        analysis.conflicts.map((c) => ({ path: `${c.path}.${c.kind === 'outcome' ? 'model' : 'name'}`, code: 'NAME_OWNED_BY_ANOTHER_PROJECT', message: `${c.kind} ${c.name} is owned by project ${c.owner}` })),
        'NAME_OWNED_BY_ANOTHER_PROJECT',
      );
    }
    // Models the static checks refused are not compiled; the others are, so one answer names every problem.
    const columns = await this.compile(qr, analysis, req);
    const own = stored.filter((o) => o.project === req.project);
    const diff = diffObjects(req, own);
    const state: ApplyState = {
      req,
      violations: [],
      items: new Map([...diff.created, ...diff.changed, ...diff.removed].map((i) => [`${i.kind}|${i.name}`, i])),
      fullRefresh: new Set(req.full_refresh ?? []),
    };
    const ownDefs = new Map(own.map((o) => [`${o.kind}|${o.name}`, o.definition]));

    // Removals first (prune): their relations go, kept objects were checked not to read them.
    for (const item of diff.removed) await this.remove(qr, item);
    for (const [i, s] of (req.sources ?? []).entries()) await this.applySource(qr, state, s, i, ownDefs.get(`source|${s.name}`) as SourceDefinition | undefined);
    const requestModels = topologicalOrder(analysis.models).filter((m) => m.path !== null);
    for (const m of requestModels) await this.applyModel(qr, state, m, columns.get(m.name) ?? []);
    await this.registerSchemas(qr, state);
    refuse(state.violations);

    const [project] = await qr.query(`SELECT version, description, owner FROM "dwh".projects WHERE name = $1`, [req.project]);
    const metaChanged = !project || (project.description ?? null) !== (req.description ?? null) || (project.owner ?? null) !== (req.owner ?? null);
    const changes = diff.created.length + diff.changed.length + diff.removed.length > 0 || metaChanged;
    const plan: WarehouseApplyPlan = { project: req.project, dry_run: !!req.dry_run, version: project?.version ?? 0, ...diff };
    for (const list of [plan.created, plan.changed, plan.removed]) for (const item of list) if (!item.changes?.length) delete item.changes;
    if (!changes || req.dry_run) return changes ? plan : { ...plan, version: -1 };

    const version = (project?.version ?? 0) + 1;
    plan.version = version;
    const appliedBy = requestContext.get()?.principal ?? null;
    await qr.query(
      `INSERT INTO "dwh".projects (name, description, owner, version, applied_at, applied_by) VALUES ($1, $2, $3, $4, now(), $5)
       ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description, owner = EXCLUDED.owner, version = EXCLUDED.version,
         applied_at = EXCLUDED.applied_at, applied_by = EXCLUDED.applied_by`,
      [req.project, req.description ?? null, req.owner ?? null, version, appliedBy],
    );
    const { dry_run: _d, ...request } = req;
    await qr.query(`INSERT INTO "dwh".project_versions (project, version, request, plan, applied_by) VALUES ($1, $2, $3::jsonb, $4::jsonb, $5)`, [
      req.project,
      version,
      JSON.stringify(request),
      JSON.stringify(plan),
      appliedBy,
    ]);
    const defs = new Map(
      [
        ...(req.sources ?? []).map((d) => ['source', d.name, d] as const),
        ...(req.event_schemas ?? []).map((d) => ['event_schema', eventSchemaKey(d), d] as const),
        ...(req.models ?? []).map((d) => ['model', d.name, d] as const),
        ...(req.outcomes ?? []).map((d) => ['outcome', d.model, d] as const),
        ...(req.kpis ?? []).map((d) => ['kpi', d.name, d] as const),
      ].map(([kind, name, def]) => [`${kind}|${name}`, def as unknown]),
    );
    for (const item of [...diff.created, ...diff.changed]) {
      const def = defs.get(`${item.kind}|${item.name}`);
      await qr.query(
        `INSERT INTO "dwh".project_objects (kind, name, project, definition, definition_sha256, version) VALUES ($1, $2, $3, $4::jsonb, $5, $6)
         ON CONFLICT (kind, name) DO UPDATE SET definition = EXCLUDED.definition, definition_sha256 = EXCLUDED.definition_sha256,
           version = EXCLUDED.version, updated_at = now()`,
        [item.kind, item.name, req.project, JSON.stringify(def), definitionSha(def), version],
      );
    }
    for (const item of diff.removed) await qr.query(`DELETE FROM "dwh".project_objects WHERE kind = $1 AND name = $2 AND project = $3`, [item.kind, item.name, req.project]);
    return plan;
  }

  /**
   * Compiles every model of the request (and outcome, KPI, custom test) as a view in a scratch
   * schema whose relations are empty tables of the same shape, inside a savepoint that is always
   * rolled back. PostgreSQL reports unknown columns and type errors, and the output columns.
   */
  private async compile(qr: QueryRunner, analysis: RequestAnalysis, req: WarehouseApplyRequest): Promise<Map<string, Column[]>> {
    const scratch = `dwh_check_${randomBytes(6).toString('hex')}`;
    const violations: Violation[] = [...analysis.violations];
    const refused = (path: string | null) => path !== null && analysis.violations.some((v) => v.path === path || v.path.startsWith(`${path}.`));
    // Without a well-formed graph there is no order to compile in.
    if (analysis.violations.some((v) => v.code === 'MODEL_CYCLE' || v.code === 'DUPLICATE_NAME')) refuse(violations);
    const columns = new Map<string, Column[]>();
    const attempt = async (path: string, sql: string, kept?: PlannedModel): Promise<boolean> => {
      await qr.query(`SAVEPOINT compile_one`);
      try {
        await qr.query(sql);
        await qr.query(`RELEASE SAVEPOINT compile_one`);
        return true;
      } catch (err) {
        await qr.query(`ROLLBACK TO SAVEPOINT compile_one`);
        if (isDependencyDown(err)) throw err;
        const message = (err as Error).message;
        // A model that stays (another project's, or this one's without prune) would break at its next run.
        if (kept) violations.push({ path, code: 'OBJECT_IN_USE', message: `model ${kept.name} of project ${kept.project} would no longer compile: ${message}` });
        else violations.push({ path, code: 'SQL_ERROR', message });
        return false;
      }
    };
    const outputColumns = async (name: string): Promise<Column[]> =>
      qr.query(
        `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
          WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
        [`"${scratch}"."${name}"`],
      );
    const inScratch = async (sql: string) => {
      const a = await analyseSelect(sql, { allowed: () => true });
      try {
        return qualifyRelations(sql, a.refs, scratch);
      } catch {
        return 'SELECT 1 FROM "relation reference not understood"';
      }
    };
    await qr.query(`SAVEPOINT compile_all`);
    try {
      await qr.query(`CREATE SCHEMA "${scratch}"`);
      // Keys come along: a GROUP BY on a primary key may select the row's other columns.
      const like = (name: string) => `CREATE TABLE "${scratch}".${q(name)} (LIKE ${rel(name)} INCLUDING CONSTRAINTS INCLUDING INDEXES)`;
      for (const t of ['events', 'prediction_log']) await qr.query(like(t));
      // Batch results tables the models read (model-serving creates each when its job's first run finishes).
      const batchResults = [...new Set(analysis.models.flatMap((m) => m.inputs.filter(isBatchResultsTable)))];
      const withoutInput = new Set<string>();
      for (const t of batchResults) {
        if (await this.physical(qr, t)) {
          await qr.query(like(t));
          continue;
        }
        for (const m of analysis.models.filter((x) => x.inputs.includes(t))) {
          withoutInput.add(m.name);
          if (m.path !== null) violations.push({ path: `${m.path}.sql`, code: 'SQL_UNKNOWN_RELATION', message: `${WAREHOUSE_SCHEMA}.${t} does not exist yet: a batch job creates it when its first run finishes` });
        }
      }
      for (const [name, s] of analysis.sources) {
        const table = sourceTable(name);
        const exists = await this.physical(qr, table);
        if (s.path === null && exists) {
          await qr.query(like(table));
        } else {
          // A refused declaration still gets a table (its valid, distinct columns), so models reading it compile.
          const declared = s.def.columns.filter((c, k) => !SOURCE_SYSTEM_COLUMNS.includes(c.name) && s.def.columns.findIndex((x) => x.name === c.name) === k);
          const cols = declared.map((c) => `${q(c.name)} ${SOURCE_PG_TYPES[c.type]}`);
          await qr.query(`CREATE TABLE "${scratch}".${q(table)} (import_id uuid, row_number bigint, ${[...cols, ''].join(', ')}loaded_at timestamptz, PRIMARY KEY (import_id, row_number))`);
        }
      }
      const failed = new Set([...analysis.models.filter((m) => refused(m.path)).map((m) => m.name), ...withoutInput]);
      const changing = new Set([
        ...analysis.models.filter((m) => m.path !== null).map((m) => m.name),
        ...[...analysis.sources].filter(([, src]) => src.path !== null).map(([name]) => sourceTable(name)),
      ]);
      for (const m of topologicalOrder(analysis.models)) {
        if (failed.has(m.name) || m.deps.some((d) => failed.has(d))) {
          failed.add(m.name);
          continue;
        }
        const kept = m.path === null ? m : undefined;
        if (kept) {
          // A kept model reading something this apply changes is compiled again from its SQL.
          if ([...m.deps, ...m.inputs].some((d) => changing.has(d))) changing.add(m.name);
          else if (await this.physical(qr, m.name)) {
            await qr.query(like(m.name));
            continue;
          }
        }
        const sql = await inScratch(withoutTerminator(windowAsNull(m.def.sql)));
        const ok = await attempt(m.path ? `${m.path}.sql` : '$', `CREATE VIEW "${scratch}".${q(m.name)} AS\n${sql}\n`, kept);
        if (!ok) {
          failed.add(m.name);
          continue;
        }
        const cols = await outputColumns(m.name);
        columns.set(m.name, cols);
        const shapeProblems = m.path ? checkModelColumns(m.def, m.path, cols) : [];
        violations.push(...shapeProblems);
        if (m.def.materialized !== 'view' && !shapeProblems.length) {
          // Downstream SQL reads a table with its key, as it will at run time.
          await qr.query(`ALTER VIEW "${scratch}".${q(m.name)} RENAME TO ${q(`__compiled_${columns.size}`)}`);
          const key = m.def.unique_key?.length ? `, PRIMARY KEY (${m.def.unique_key.map(q).join(', ')})` : '';
          if (!(await attempt(m.path ? `${m.path}.sql` : '$', `CREATE TABLE "${scratch}".${q(m.name)} (${cols.map((c) => `${q(c.name)} ${c.type}`).join(', ')}${key})`, kept))) {
            failed.add(m.name);
            continue;
          }
        }
        if (!m.path) continue;
        for (const [j, t] of (m.def.tests ?? []).entries()) {
          if (t.kind === 'sql') {
            const testSql = await inScratch(withoutTerminator(bindModel(t.sql, m.name)));
            if (await attempt(`${m.path}.tests[${j}].sql`, `CREATE VIEW "${scratch}"."__test" AS\n${testSql}\n`)) await qr.query(`DROP VIEW "${scratch}"."__test"`);
          } else if (t.kind === 'relationships') {
            const target = columns.get(t.to) ?? (await this.physical(qr, t.to))?.columns;
            if (target && !target.some((c) => c.name === t.field)) {
              violations.push({ path: `${m.path}.tests[${j}].field`, code: 'UNKNOWN_COLUMN', message: `${t.field} is not a column of ${t.to}` });
            }
          }
        }
      }
      const queries = [
        ...analysis.outcomes.map((o, i) => ({ kind: 'outcome' as const, def: (req.outcomes ?? [])[i], path: `$.outcomes[${i}]`, sql: o.sql })),
        ...analysis.kpis.map((k, i) => ({ kind: 'kpi' as const, def: (req.kpis ?? [])[i], path: `$.kpis[${i}]`, sql: k.sql })),
      ];
      for (const x of queries) {
        if (refused(`${x.path}.sql`)) continue;
        const sql = await inScratch(withoutTerminator(x.sql));
        if (!(await attempt(`${x.path}.sql`, `CREATE VIEW "${scratch}"."__query" AS\n${sql}\n`))) continue;
        violations.push(...checkQueryColumns(x.kind, x.def, x.path, await outputColumns('__query')));
        await qr.query(`DROP VIEW "${scratch}"."__query"`);
      }
    } finally {
      await qr.query(`ROLLBACK TO SAVEPOINT compile_all`).catch(() => undefined);
    }
    refuse(violations);
    return columns;
  }

  /** The relation's kind, columns and primary key, or null when it does not exist. */
  private async physical(qr: QueryRunner, name: string): Promise<Physical | null> {
    const [r] = await qr.query(`SELECT c.oid::int AS oid, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`, [SCHEMA, name]);
    if (!r) return null;
    const columns: PhysicalColumn[] = await qr.query(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type, attnotnull AS "notNull" FROM pg_attribute
        WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      [r.oid],
    );
    const [pk] = await qr.query(
      `SELECT coalesce(array_agg(a.attname::text ORDER BY k.ord), '{}') AS cols FROM pg_index i
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1 AND i.indisprimary`,
      [r.oid],
    );
    return { kind: r.relkind === 'v' ? 'view' : 'table', columns, primaryKey: pk?.cols ?? [] };
  }

  private note(state: ApplyState, kind: string, name: string, change: string) {
    const item = state.items.get(`${kind}|${name}`);
    if (item) (item.changes ??= []).push(change);
  }

  private async remove(qr: QueryRunner, item: WarehousePlanItem): Promise<void> {
    const change = (c: string) => (item.changes ??= []).push(c);
    if (item.kind === 'source') {
      await qr.query(`DROP TABLE IF EXISTS ${rel(sourceTable(item.name))} CASCADE`);
      change(`drop table ${SCHEMA}.${sourceTable(item.name)} and its data`);
    } else if (item.kind === 'model') {
      const p = await this.physical(qr, item.name);
      if (p) await qr.query(`DROP ${p.kind === 'view' ? 'VIEW' : 'TABLE'} ${rel(item.name)} CASCADE`);
      await qr.query(`DELETE FROM "dwh".model_state WHERE name = $1`, [item.name]);
      change(`drop ${p?.kind ?? 'relation'} ${SCHEMA}.${item.name}`);
    } else if (item.kind === 'event_schema') {
      change('no longer owned by the project (registered versions stay: loaded events refer to them)');
    } else {
      change('removed');
    }
  }

  private async rowCount(qr: QueryRunner, table: string): Promise<number> {
    const [r] = await qr.query(`SELECT EXISTS (SELECT 1 FROM ${rel(table)}) AS any`);
    return r.any ? 1 : 0;
  }

  private async createSource(qr: QueryRunner, s: SourceDefinition): Promise<void> {
    const table = sourceTable(s.name);
    const cols = s.columns.map((c) => `${q(c.name)} ${SOURCE_PG_TYPES[c.type]}${c.required || s.primary_key?.includes(c.name) ? ' NOT NULL' : ''}`);
    await qr.query(
      `CREATE TABLE ${rel(table)} (import_id uuid NOT NULL, row_number bigint NOT NULL, ${cols.join(', ')},
         loaded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (import_id, row_number))`,
    );
    await qr.query(`CREATE INDEX ${q(`${table}_loaded_at_idx`.slice(0, 63))} ON ${rel(table)} (loaded_at)`);
    if (s.primary_key?.length) await qr.query(`CREATE UNIQUE INDEX ${q(`${table}_key`.slice(0, 63))} ON ${rel(table)} (${s.primary_key.map(q).join(', ')})`);
  }

  private async applySource(qr: QueryRunner, state: ApplyState, s: SourceDefinition, i: number, before: SourceDefinition | undefined): Promise<void> {
    const table = sourceTable(s.name);
    const path = `$.sources[${i}]`;
    const p = await this.physical(qr, table);
    const note = (c: string) => this.note(state, 'source', s.name, c);
    if (!p) {
      await this.createSource(qr, s);
      note(`create table ${SCHEMA}.${table} (${s.columns.map((c) => `${c.name} ${c.type}`).join(', ')})`);
      return;
    }
    if (!before) note(`adopt existing table ${SCHEMA}.${table}`);
    const breaking: Violation[] = [];
    const alters: Array<[string, string]> = [];
    const nonEmpty = (await this.rowCount(qr, table)) > 0;
    s.columns.forEach((c, j) => {
      const existing = p.columns.find((x) => x.name === c.name);
      const type = SOURCE_PG_TYPES[c.type];
      if (!existing) {
        if (c.required && nonEmpty) breaking.push({ path: `${path}.columns[${j}].required`, code: 'BREAKING_CHANGE', message: `new required column ${c.name} on a non-empty table (stored rows have no value)` });
        else alters.push([`ADD COLUMN ${q(c.name)} ${type}`, `add column ${c.name} ${c.type}`]);
      } else if (baseType(existing.type) !== type) {
        breaking.push({ path: `${path}.columns[${j}].type`, code: 'BREAKING_CHANGE', message: `column ${c.name} changes type from ${existing.type} to ${type}` });
      } else if (existing.notNull && !c.required && !s.primary_key?.includes(c.name)) {
        alters.push([`ALTER COLUMN ${q(c.name)} DROP NOT NULL`, `relax column ${c.name}: values may be empty`]);
      }
    });
    for (const x of p.columns) {
      if (!SOURCE_SYSTEM_COLUMNS.includes(x.name) && !s.columns.some((c) => c.name === x.name)) {
        breaking.push({ path: `${path}.columns`, code: 'BREAKING_CHANGE', message: `column ${x.name} is dropped (its data would be lost)` });
      }
    }
    const keyBefore = before ? (before.primary_key ?? []) : await this.uniqueKey(qr, table);
    const keyAfter = s.primary_key ?? [];
    if (keyBefore.join(',') !== keyAfter.join(',')) {
      if (nonEmpty) breaking.push({ path: `${path}.primary_key`, code: 'BREAKING_CHANGE', message: `primary key changes from (${keyBefore.join(', ')}) to (${keyAfter.join(', ')}) on a non-empty table` });
      else alters.push(['', `primary key (${keyAfter.join(', ')})`]);
    }
    if (breaking.length && !state.fullRefresh.has(s.name)) {
      state.violations.push(...breaking.map((b) => ({ ...b, message: `${b.message}: breaking, list ${s.name} in full_refresh to drop and recreate ${SCHEMA}.${table}` })));
      return;
    }
    if (state.fullRefresh.has(s.name)) {
      await qr.query(`DROP TABLE ${rel(table)} CASCADE`);
      await this.createSource(qr, s);
      note(`drop and recreate ${SCHEMA}.${table} (full refresh: its rows are dropped)${breaking.length ? `: ${breaking.map((b) => b.message).join('; ')}` : ''}`);
      return;
    }
    for (const [sql, change] of alters) {
      if (sql) await qr.query(`ALTER TABLE ${rel(table)} ${sql}`);
      note(change);
    }
    if (keyBefore.join(',') !== keyAfter.join(',')) {
      await qr.query(`DROP INDEX IF EXISTS "${SCHEMA}".${q(`${table}_key`.slice(0, 63))}`);
      if (keyAfter.length) await qr.query(`CREATE UNIQUE INDEX ${q(`${table}_key`.slice(0, 63))} ON ${rel(table)} (${keyAfter.map(q).join(', ')})`);
    }
  }

  private async uniqueKey(qr: QueryRunner, table: string): Promise<string[]> {
    const [r] = await qr.query(
      `SELECT coalesce(array_agg(a.attname::text ORDER BY k.ord), '{}') AS cols FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid
         CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        WHERE i.indrelid = $1::regclass AND c.relname = $2`,
      [`"${SCHEMA}"."${table}"`, `${table}_key`.slice(0, 63)],
    );
    return r?.cols ?? [];
  }

  private async createModelTable(qr: QueryRunner, m: WarehouseModelDefinition, columns: readonly Column[], path: string, state: ApplyState): Promise<boolean> {
    const cols = columns.map((c) => `${q(c.name)} ${c.type}`);
    if (m.unique_key?.length) cols.push(`PRIMARY KEY (${m.unique_key.map(q).join(', ')})`);
    await qr.query(`SAVEPOINT model_table`);
    try {
      await qr.query(`CREATE TABLE ${rel(m.name)} (${cols.join(', ')})`);
      await qr.query(`RELEASE SAVEPOINT model_table`);
    } catch (err) {
      await qr.query(`ROLLBACK TO SAVEPOINT model_table`);
      if (isDependencyDown(err)) throw err;
      state.violations.push({ path: `${path}.sql`, code: 'SQL_ERROR', message: `cannot store the output as a table: ${(err as Error).message}` });
      return false;
    }
    await this.ensureIndexes(qr, m);
    return true;
  }

  private async ensureIndexes(qr: QueryRunner, m: WarehouseModelDefinition): Promise<void> {
    for (const idx of m.indexes ?? []) {
      const name = `${m.name}_${idx.join('_')}_idx`.slice(0, 63);
      await qr.query(`CREATE INDEX IF NOT EXISTS ${q(name)} ON ${rel(m.name)} (${idx.map(q).join(', ')})`);
    }
  }

  private async applyModel(qr: QueryRunner, state: ApplyState, pm: PlannedModel, columns: Column[]): Promise<void> {
    const m = pm.def;
    const path = pm.path as string;
    const note = (c: string) => this.note(state, 'model', m.name, c);
    const item = state.items.get(`model|${m.name}`);
    const p = await this.physical(qr, m.name);
    const refresh = state.fullRefresh.has(m.name);
    const wanted = m.materialized === 'view' ? 'view' : 'table';
    const breaking: string[] = [];
    if (p && p.kind !== wanted) breaking.push(`materialization changes from ${p.kind} to ${m.materialized}`);
    if (p && p.kind === wanted && wanted === 'view') {
      // CREATE OR REPLACE VIEW may only append columns.
      p.columns.forEach((c, k) => {
        const next = columns[k];
        if (!next || next.name !== c.name || next.type !== c.type) breaking.push(`column ${c.name} ${c.type} is dropped, renamed or retyped (${next ? `${next.name} ${next.type}` : 'gone'})`);
      });
    }
    const alters: Array<[string, string]> = [];
    if (p && p.kind === wanted && wanted === 'table') {
      for (const c of p.columns) {
        const next = columns.find((x) => x.name === c.name);
        if (!next) breaking.push(`column ${c.name} is dropped`);
        else if (next.type !== c.type) breaking.push(`column ${c.name} changes type from ${c.type} to ${next.type}`);
      }
      for (const c of columns) if (!p.columns.some((x) => x.name === c.name)) alters.push([`ADD COLUMN ${q(c.name)} ${c.type}`, `add column ${c.name} ${c.type}`]);
      if ((m.unique_key ?? []).join(',') !== p.primaryKey.join(',')) breaking.push(`unique key changes from (${p.primaryKey.join(', ')}) to (${(m.unique_key ?? []).join(', ')})`);
    }
    if (breaking.length && !refresh) {
      state.violations.push({ path: `${path}.sql`, code: 'BREAKING_CHANGE', message: `${breaking.join('; ')}: breaking, list ${m.name} in full_refresh to drop and rebuild ${SCHEMA}.${m.name}` });
      return;
    }
    if (p && (refresh || breaking.length)) {
      // Views of other models reading it go too; the runner recreates every missing view.
      await qr.query(`DROP ${p.kind === 'view' ? 'VIEW' : 'TABLE'} ${rel(m.name)} CASCADE`);
      await qr.query(`DELETE FROM "dwh".model_state WHERE name = $1`, [m.name]);
      note(`drop and rebuild ${SCHEMA}.${m.name} at the next run (full refresh)${breaking.length ? `: ${breaking.join('; ')}` : ''}`);
    } else if (p && !item) {
      return;
    } else if (p && item?.fields === undefined) {
      note(`adopt existing ${p.kind} ${SCHEMA}.${m.name}`);
    }
    const exists = p && !refresh && !breaking.length;
    if (wanted === 'table') {
      if (!exists) {
        if (await this.createModelTable(qr, m, columns, path, state)) {
          if (!p || refresh || breaking.length) note(`create table ${SCHEMA}.${m.name} (${columns.map((c) => `${c.name} ${c.type}`).join(', ')}), built at the next run`);
        }
      } else {
        for (const [sql, change] of alters) {
          await qr.query(`ALTER TABLE ${rel(m.name)} ${sql}`);
          note(change);
        }
        await this.ensureIndexes(qr, m);
        if (item?.fields?.includes('sql')) note(m.materialized === 'table' ? 'rebuild at the next run' : 'the new SQL applies to rows loaded from now on (full_refresh rebuilds all)');
      }
    } else if (!exists) {
      note(`create view ${SCHEMA}.${m.name} at the next run (after its tests pass)`);
    } else if (item?.fields?.includes('sql')) {
      note(`replace view ${SCHEMA}.${m.name} at the next run (after its tests pass)`);
    }
  }

  private async registerSchemas(qr: QueryRunner, state: ApplyState): Promise<void> {
    const docs = (state.req.event_schemas ?? []).map((d, i) => ({ d, i }));
    // Versions of one event in SchemaVer order, so each is checked against the one before.
    docs.sort((a, b) => (a.d.name === b.d.name ? compareSchemaVer(ver(a.d), ver(b.d)) : a.i - b.i));
    for (const { d, i } of docs) {
      await qr.query(`SAVEPOINT register_schema`);
      try {
        const r = await this.registry.registerIn(qr.manager, d);
        await qr.query(`RELEASE SAVEPOINT register_schema`);
        const item = state.items.get(`event_schema|${eventSchemaKey(d)}`);
        if (item && !item.changes?.length) (item.changes ??= []).push(r.created ? `register ${d.name} ${d.version} (${r.schema.change})` : `adopt registered ${d.name} ${d.version}`);
      } catch (err) {
        await qr.query(`ROLLBACK TO SAVEPOINT register_schema`);
        if (!(err instanceof PlatformError)) throw err;
        const details = err.details.length ? err.details : [{ code: err.code, message: err.message }];
        state.violations.push(...details.map((x) => ({ path: `$.event_schemas[${i}]${x.path && x.path !== '$' ? x.path.slice(1) : ''}`, code: err.code, message: `${err.message}${x.message && x.message !== err.message ? ` (${x.message})` : ''}` })));
      }
    }
  }

  async list(): Promise<ProjectSummary[]> {
    const rows = await this.db.query<ProjectRow>(
      `SELECT p.*, coalesce((SELECT jsonb_object_agg(kind, n) FROM (SELECT kind, count(*)::int AS n FROM "dwh".project_objects o WHERE o.project = p.name GROUP BY kind) k), '{}') AS objects
         FROM "dwh".projects p ORDER BY p.name`,
    );
    return rows.map(toSummary);
  }

  async get(name: string): Promise<ProjectSummary & { definitions: Record<string, unknown[]> }> {
    const [summary] = (await this.list()).filter((p) => p.name === name);
    if (!summary) throw PlatformError.notFound(`no project ${name}`, 'PROJECT_NOT_FOUND');
    const objects = await this.db.query<{ kind: string; definition: unknown }>(`SELECT kind, definition FROM "dwh".project_objects WHERE project = $1 ORDER BY kind, name`, [name]);
    const definitions: Record<string, unknown[]> = { sources: [], event_schemas: [], models: [], outcomes: [], kpis: [] };
    for (const o of objects) definitions[`${o.kind}s`]?.push(o.definition);
    return { ...summary, definitions };
  }

  async versions(name: string): Promise<{ versions: unknown[] }> {
    await this.get(name);
    const rows = await this.db.query<{ version: number; applied_at: Date; applied_by: string | null; plan: unknown; request: unknown }>(
      `SELECT version, applied_at, applied_by, plan, request FROM "dwh".project_versions WHERE project = $1 ORDER BY version DESC`,
      [name],
    );
    return { versions: rows.map((r) => ({ version: r.version, applied_at: new Date(r.applied_at).toISOString(), applied_by: r.applied_by, plan: r.plan, request: r.request })) };
  }
}

interface ProjectRow {
  name: string;
  description: string | null;
  owner: string | null;
  version: number;
  applied_at: Date;
  applied_by: string | null;
  objects: Record<string, number>;
}

const toSummary = (r: ProjectRow): ProjectSummary => ({
  name: r.name,
  description: r.description,
  owner: r.owner,
  version: r.version,
  applied_at: new Date(r.applied_at).toISOString(),
  applied_by: r.applied_by,
  objects: r.objects,
});

function ver(d: EventSchemaDocument) {
  const v = parseSchemaVer(d.version);
  if (!v) throw PlatformError.badRequest(`${d.version} is not SchemaVer`, [], ErrorCode.VALIDATION_FAILED);
  return v;
}

/** A 400 naming every violation; its code is theirs when they share one. */
function refuse(violations: Violation[]): void {
  if (!violations.length) return;
  const codes = new Set(violations.map((v) => v.code));
  const code = codes.size === 1 ? [...codes][0] : 'INVALID_DEFINITIONS';
  throw PlatformError.badRequest(
    `the warehouse definitions are refused: ${violations
      .slice(0, 3)
      .map((v) => `${v.path}: ${v.message}`)
      .join('; ')}${violations.length > 3 ? ` (and ${violations.length - 3} more)` : ''}`,
    violations,
    code,
  );
}
