import {
  BATCH_RESULTS_TABLE_PATTERN,
  type EventSchemaDocument,
  type KpiDefinition,
  type OutcomeDefinition,
  type SourceDefinition,
  type WarehouseApplyRequest,
  type WarehouseModelDefinition,
  type WarehouseObjectKind,
  type WarehousePlanItem,
} from '@mlp/contracts';
import { createHash } from 'node:crypto';
import { cycleMembers } from '../transformations/model-dag';
import { IDENTIFIER } from '../warehouse/identifiers';
import { analyseSelect, bindModel, bindWindow, usesWindow, type RelationRef, type SqlProblem } from '../warehouse/select-check';

/**
 * The framework-free half of `POST /v1/warehouse/apply`: who owns what, every static rule of the
 * request (names, columns, SQL, dependencies derived from the SQL, cycles) and the diff against
 * the stored definitions. The service adds what only PostgreSQL can tell (columns and types).
 */

export interface Violation {
  path: string;
  code: string;
  message: string;
}

export interface StoredObject {
  kind: WarehouseObjectKind;
  name: string;
  project: string;
  definition: unknown;
  definition_sha256: string;
}

/** Tables of the platform itself in the warehouse schema: no model may take these names. */
export const PLATFORM_TABLES = new Set([
  'events', 'failed_events', 'event_schemas', 'replay_requests', 'prediction_log', 'imports', 'import_rejected_rows', 'model_state',
  'transformation_runs', 'data_test_results', 'sla_state', 'outbox', 'projects', 'project_versions', 'project_objects', 'migrations',
]);
/** Raw datasets of the platform every model may read. */
export const PLATFORM_INPUTS = ['events', 'prediction_log'];
const BATCH_RESULTS_TABLE = new RegExp(BATCH_RESULTS_TABLE_PATTERN);
/**
 * Batch scoring results, `dwh.scores_<name>`: model-serving creates and writes them (each finished
 * run of a batch job, in one transaction); models may read them like the platform's other inputs,
 * and no model or source may take the prefix.
 */
export const isBatchResultsTable = (name: string): boolean => BATCH_RESULTS_TABLE.test(name);
/** Columns every source table carries besides its declared ones. */
export const SOURCE_SYSTEM_COLUMNS = ['import_id', 'row_number', 'loaded_at'];

const NUMERIC_TYPES = new Set(['integer', 'bigint', 'numeric', 'double']);
const TIME_TYPES = new Set(['date', 'timestamptz']);

export const sourceTable = (name: string) => `src_${name}`;
export const eventSchemaKey = (d: Pick<EventSchemaDocument, 'name' | 'version'>) => `${d.name}@${d.version}`;

export function canonicalJson(v: unknown): string {
  const canon = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(canon);
    if (x && typeof x === 'object') return Object.fromEntries(Object.keys(x as object).sort().filter((k) => (x as Record<string, unknown>)[k] !== undefined).map((k) => [k, canon((x as Record<string, unknown>)[k])]));
    return x;
  };
  return JSON.stringify(canon(v));
}
export const definitionSha = (v: unknown) => createHash('sha256').update(canonicalJson(v)).digest('hex');

/** A model of the warehouse graph after this apply: the request's (with its index) or a kept one. */
export interface PlannedModel {
  name: string;
  project: string;
  def: WarehouseModelDefinition;
  /** `$.models[i]` for a model of the request, null for a kept one. */
  path: string | null;
  /** Models it reads (its SQL and its tests): they build first. */
  deps: string[];
  /** Non-model relations its SQL reads (src_<name>, events, prediction_log, scores_<name>). */
  inputs: string[];
  refs: RelationRef[];
  testRefs: Map<number, RelationRef[]>;
}

export interface PlannedQuery {
  path: string;
  sql: string;
  refs: RelationRef[];
}

export interface RequestAnalysis {
  violations: Violation[];
  conflicts: Array<{ kind: WarehouseObjectKind; name: string; owner: string; path: string }>;
  /** Every model of the warehouse after this apply. */
  models: PlannedModel[];
  /** Every source after this apply (name -> definition). */
  sources: Map<string, { project: string; def: SourceDefinition; path: string | null }>;
  outcomes: PlannedQuery[];
  kpis: PlannedQuery[];
}

type Named = { kind: WarehouseObjectKind; name: string; path: string; def: unknown };

/** The request's objects as (kind, name) with their JSON path. */
export function requestObjects(req: WarehouseApplyRequest): Named[] {
  return [
    ...(req.sources ?? []).map((d, i) => ({ kind: 'source' as const, name: d.name, path: `$.sources[${i}]`, def: d })),
    ...(req.event_schemas ?? []).map((d, i) => ({ kind: 'event_schema' as const, name: eventSchemaKey(d), path: `$.event_schemas[${i}]`, def: d })),
    ...(req.models ?? []).map((d, i) => ({ kind: 'model' as const, name: d.name, path: `$.models[${i}]`, def: d })),
    ...(req.outcomes ?? []).map((d, i) => ({ kind: 'outcome' as const, name: d.model, path: `$.outcomes[${i}]`, def: d })),
    ...(req.kpis ?? []).map((d, i) => ({ kind: 'kpi' as const, name: d.name, path: `$.kpis[${i}]`, def: d })),
  ];
}

const problemsAt = (path: string, problems: SqlProblem[]): Violation[] => problems.map((p) => ({ path, code: p.code, message: p.message }));

function checkSource(s: SourceDefinition, path: string): Violation[] {
  const out: Violation[] = [];
  const seen = new Set<string>();
  if (sourceTable(s.name).length > 63) out.push({ path: `${path}.name`, code: 'INVALID_SOURCE', message: 'src_<name> must fit in 63 characters' });
  s.columns.forEach((c, j) => {
    const at = `${path}.columns[${j}]`;
    if (seen.has(c.name)) out.push({ path: `${at}.name`, code: 'DUPLICATE_NAME', message: `column ${c.name} is declared twice` });
    seen.add(c.name);
    if (SOURCE_SYSTEM_COLUMNS.includes(c.name)) out.push({ path: `${at}.name`, code: 'INVALID_SOURCE', message: `${c.name} is a column every source table has already` });
    if (c.type !== 'text') {
      for (const k of ['pattern', 'max_length', 'values'] as const) if (c[k] !== undefined) out.push({ path: `${at}.${k}`, code: 'INVALID_SOURCE', message: `${k} applies to text columns only` });
    }
    if (!NUMERIC_TYPES.has(c.type)) {
      for (const k of ['minimum', 'maximum'] as const) if (c[k] !== undefined) out.push({ path: `${at}.${k}`, code: 'INVALID_SOURCE', message: `${k} applies to numeric columns only` });
    }
    if (c.minimum !== undefined && c.maximum !== undefined && c.minimum > c.maximum) out.push({ path: `${at}.maximum`, code: 'INVALID_SOURCE', message: 'maximum is below minimum' });
    if (c.pattern !== undefined) {
      try {
        new RegExp(c.pattern);
      } catch (err) {
        out.push({ path: `${at}.pattern`, code: 'INVALID_SOURCE', message: `not a regular expression: ${(err as Error).message}` });
      }
    }
  });
  (s.primary_key ?? []).forEach((k, j) => {
    if (!seen.has(k)) out.push({ path: `${path}.primary_key[${j}]`, code: 'INVALID_SOURCE', message: `${k} is not a declared column` });
  });
  if (s.freshness) {
    const column = s.freshness.column ?? 'loaded_at';
    const declared = s.columns.find((c) => c.name === column);
    if (column !== 'loaded_at' && (!declared || !TIME_TYPES.has(declared.type))) {
      out.push({ path: `${path}.freshness.column`, code: 'INVALID_SOURCE', message: `${column} must be loaded_at or a declared date/timestamptz column` });
    }
  }
  return out;
}

function checkModelShape(m: WarehouseModelDefinition, path: string): Violation[] {
  const out: Violation[] = [];
  const bad = (field: string, message: string) => out.push({ path: `${path}.${field}`, code: 'INVALID_MODEL', message });
  if (PLATFORM_TABLES.has(m.name)) bad('name', `${m.name} is a table of the platform`);
  if (m.name.startsWith('pg_')) bad('name', 'names starting with pg_ are reserved by PostgreSQL');
  if (m.name.startsWith('src_')) bad('name', 'names starting with src_ are the tables of sources');
  if (m.name.startsWith('scores_')) bad('name', 'names starting with scores_ are the tables of batch scoring results (model-serving writes them)');
  // Published marts are the warehouse's interface: feature views, label and outcome queries read
  // `dwh.mart_*`, so the layer and the name say the same thing.
  if (m.layer === 'marts' && !m.name.startsWith('mart_')) bad('name', `a marts model is published as dwh.mart_<name>: call it mart_${m.name}, or make it layer staging`);
  if (m.layer !== 'marts' && m.name.startsWith('mart_')) bad('layer', `${m.name} is named like a published mart: give it layer marts, or another name`);
  const window = usesWindow(m.sql);
  if (m.materialized === 'incremental') {
    if (!m.unique_key?.length) bad('unique_key', 'an incremental model needs a unique_key (its upsert key)');
    if (!window) bad('sql', 'an incremental model filters its input with {{from}} and {{to}}');
  } else if (window) {
    bad('sql', '{{from}}/{{to}} are only for incremental models');
  }
  if (m.materialized === 'view' && (m.unique_key || m.indexes?.length)) bad(m.unique_key ? 'unique_key' : 'indexes', 'a view has no keys or indexes');
  if (m.max_age && m.materialized !== 'table') bad('max_age', 'max_age applies to table models');
  if (m.freshness && !m.freshness.column) bad('freshness.column', 'a model measures freshness on a column of its own (its newest data time)');
  return out;
}

function duplicates(items: Named[]): Violation[] {
  const out: Violation[] = [];
  const seen = new Set<string>();
  for (const o of items) {
    const key = `${o.kind}|${o.name}`;
    if (seen.has(key)) out.push({ path: o.path, code: 'DUPLICATE_NAME', message: `${o.kind} ${o.name} appears twice in the request` });
    seen.add(key);
  }
  return out;
}

/** Everything that can be said without the database. `stored` holds every project's objects. */
export async function analyseRequest(req: WarehouseApplyRequest, stored: readonly StoredObject[]): Promise<RequestAnalysis> {
  const violations: Violation[] = [];
  const objects = requestObjects(req);
  violations.push(...duplicates(objects));

  // Ownership: an event schema is owned by its event name, every other object by its name.
  const ownerKey = (kind: WarehouseObjectKind, name: string) => (kind === 'event_schema' ? `${kind}|${name.split('@')[0]}` : `${kind}|${name}`);
  const owners = new Map<string, string>();
  for (const o of stored) if (o.project !== req.project) owners.set(ownerKey(o.kind, o.name), o.project);
  const conflicts: RequestAnalysis['conflicts'] = [];
  for (const o of objects) {
    const owner = owners.get(ownerKey(o.kind, o.name));
    if (owner && !conflicts.some((c) => c.kind === o.kind && c.name === o.name)) conflicts.push({ kind: o.kind, name: o.kind === 'event_schema' ? o.name.split('@')[0] : o.name, owner, path: o.path });
  }

  const inRequest = new Set(objects.map((o) => `${o.kind}|${o.name}`));
  const kept = stored.filter((o) => o.project !== req.project || (!req.prune && !inRequest.has(`${o.kind}|${o.name}`)));

  const sources: RequestAnalysis['sources'] = new Map();
  for (const o of kept) if (o.kind === 'source') sources.set(o.name, { project: o.project, def: o.definition as SourceDefinition, path: null });
  (req.sources ?? []).forEach((s, i) => {
    violations.push(...checkSource(s, `$.sources[${i}]`));
    sources.set(s.name, { project: req.project, def: s, path: `$.sources[${i}]` });
  });

  const modelDefs: Array<{ def: WarehouseModelDefinition; project: string; path: string | null }> = [];
  for (const o of kept) if (o.kind === 'model') modelDefs.push({ def: o.definition as WarehouseModelDefinition, project: o.project, path: null });
  (req.models ?? []).forEach((m, i) => {
    violations.push(...checkModelShape(m, `$.models[${i}]`));
    modelDefs.push({ def: m, project: req.project, path: `$.models[${i}]` });
  });
  const modelNames = new Set(modelDefs.map((m) => m.def.name));
  const inputs = new Set([...PLATFORM_INPUTS, ...[...sources.keys()].map(sourceTable)]);
  const readable = (name: string) => inputs.has(name) || modelNames.has(name) || isBatchResultsTable(name);

  const models: PlannedModel[] = [];
  for (const { def, project, path } of modelDefs) {
    // A window in a non-incremental model is reported by the shape check.
    const a = await analyseSelect(bindWindow(def.sql), { allowed: readable, parameters: [1, 2] });
    const deps = new Set(a.relations.filter((r) => modelNames.has(r)));
    const testRefs = new Map<number, RelationRef[]>();
    const problems: Violation[] = [];
    if (path) problems.push(...problemsAt(`${path}.sql`, a.problems));
    else if (a.problems.length) {
      // A model that stays (another project's, or this one's without prune) would break.
      problems.push({ path: '$', code: 'OBJECT_IN_USE', message: `model ${def.name} of project ${project} would no longer compile: ${a.problems.map((p) => p.message).join('; ')}` });
    }
    (def.tests ?? []).forEach((t, j) => {
      if (t.kind === 'relationships') {
        if (!modelNames.has(t.to)) {
          if (path) problems.push({ path: `${path}.tests[${j}].to`, code: 'SQL_UNKNOWN_RELATION', message: `${t.to} is not a model` });
        } else if (t.to !== def.name) deps.add(t.to);
      }
    });
    for (const [j, t] of (def.tests ?? []).entries()) {
      if (t.kind !== 'sql') continue;
      const ta = await analyseSelect(bindModel(t.sql, def.name), { allowed: (n) => n === def.name || readable(n) });
      if (path) problems.push(...problemsAt(`${path}.tests[${j}].sql`, ta.problems));
      for (const r of ta.relations) if (modelNames.has(r) && r !== def.name) deps.add(r);
      testRefs.set(j, ta.refs);
    }
    violations.push(...problems);
    models.push({ name: def.name, project, def, path, deps: [...deps], inputs: a.relations.filter((r) => !modelNames.has(r)), refs: a.refs, testRefs });
  }
  const cycle = cycleMembers(models);
  if (cycle.length) {
    const inCycle = models.filter((m) => cycle.includes(m.name));
    for (const m of inCycle) {
      violations.push({ path: m.path ? `${m.path}.sql` : '$', code: 'MODEL_CYCLE', message: `the model graph has a cycle through ${cycle.join(', ')}` });
    }
  }

  const marts = new Set(models.filter((m) => m.def.layer === 'marts').map((m) => m.name));
  const martQuery = async (sql: string, path: string): Promise<PlannedQuery> => {
    const a = await analyseSelect(sql, { allowed: (n) => marts.has(n), requireQualified: true });
    violations.push(...problemsAt(path, a.problems.map((p) => (p.code === 'SQL_UNKNOWN_RELATION' ? { ...p, message: `${p.message}; outcomes and KPIs read published marts` } : p))));
    return { path, sql, refs: a.refs };
  };
  const outcomes: PlannedQuery[] = [];
  for (const [i, o] of (req.outcomes ?? []).entries()) {
    if (o.timestamp_column && !o.horizon) violations.push({ path: `$.outcomes[${i}].horizon`, code: 'INVALID_OUTCOME', message: 'an outcome with a timestamp_column needs a horizon' });
    outcomes.push(await martQuery(o.sql, `$.outcomes[${i}].sql`));
  }
  const kpis: PlannedQuery[] = [];
  for (const [i, k] of (req.kpis ?? []).entries()) kpis.push(await martQuery(k.sql, `$.kpis[${i}].sql`));

  const refreshable = new Set([...(req.sources ?? []).map((s) => s.name), ...(req.models ?? []).map((m) => m.name)]);
  (req.full_refresh ?? []).forEach((n, i) => {
    if (!refreshable.has(n)) violations.push({ path: `$.full_refresh[${i}]`, code: 'UNKNOWN_NAME', message: `${n} is not a source or model of this request` });
  });

  // Removing an object another kept object reads is refused by the kept model's check above.
  return { violations, conflicts, models, sources, outcomes, kpis };
}

/** Output columns of a query as PostgreSQL reports them (name, formatted type). */
export interface Column {
  name: string;
  type: string;
}

/** Column checks of a model against its derived output columns. */
export function checkModelColumns(m: WarehouseModelDefinition, path: string, columns: readonly Column[]): Violation[] {
  const out: Violation[] = [];
  const names = new Set(columns.map((c) => c.name));
  const need = (field: string, col: string) => {
    if (!names.has(col)) out.push({ path: `${path}.${field}`, code: 'UNKNOWN_COLUMN', message: `${col} is not a column of ${m.name} (it has ${[...names].join(', ')})` });
  };
  const seen = new Set<string>();
  for (const c of columns) {
    if (!IDENTIFIER.test(c.name)) out.push({ path: `${path}.sql`, code: 'INVALID_MODEL', message: `output column "${c.name}" is not a lower-case identifier (name it with AS)` });
    if (seen.has(c.name)) out.push({ path: `${path}.sql`, code: 'INVALID_MODEL', message: `output column ${c.name} appears twice` });
    seen.add(c.name);
  }
  (m.unique_key ?? []).forEach((k, j) => need(`unique_key[${j}]`, k));
  (m.indexes ?? []).forEach((idx, j) => idx.forEach((k, l) => need(`indexes[${j}][${l}]`, k)));
  if (m.freshness?.column) {
    need('freshness.column', m.freshness.column);
    const t = columns.find((c) => c.name === m.freshness?.column)?.type;
    if (t && !/^(date|timestamp)/.test(t)) out.push({ path: `${path}.freshness.column`, code: 'INVALID_MODEL', message: `${m.freshness.column} is ${t}, not a date or timestamp` });
  }
  (m.tests ?? []).forEach((t, j) => {
    if (t.kind === 'unique') t.columns.forEach((c, l) => need(`tests[${j}].columns[${l}]`, c));
    else if (t.kind === 'not_null' || t.kind === 'accepted_values' || t.kind === 'relationships') need(`tests[${j}].column`, t.column);
  });
  return out;
}

/** Column checks of an outcome or KPI against its query's output columns. */
export function checkQueryColumns(kind: 'outcome' | 'kpi', def: OutcomeDefinition | KpiDefinition, path: string, columns: readonly Column[]): Violation[] {
  const names = new Set(columns.map((c) => c.name));
  const wanted: Array<[string, string]> =
    kind === 'outcome'
      ? [
          ...(def as OutcomeDefinition).keys.map((k, j) => [`keys[${j}]`, k] as [string, string]),
          ['label_column', (def as OutcomeDefinition).label_column],
          ...((def as OutcomeDefinition).timestamp_column ? [['timestamp_column', (def as OutcomeDefinition).timestamp_column as string] as [string, string]] : []),
        ]
      : [
          ['date_column', (def as KpiDefinition).date_column ?? 'date'],
          ['value_column', (def as KpiDefinition).value_column ?? 'value'],
          ...((def as KpiDefinition).dimension_column ? [['dimension_column', (def as KpiDefinition).dimension_column as string] as [string, string]] : []),
        ];
  return wanted
    .filter(([, col]) => !names.has(col))
    .map(([field, col]) => ({ path: `${path}.${field}`, code: 'UNKNOWN_COLUMN', message: `${col} is not a column of the query (it has ${[...names].join(', ')})` }));
}

/** Top-level fields whose values differ. */
export function changedFields(before: unknown, after: unknown): string[] {
  const a = (before ?? {}) as Record<string, unknown>;
  const b = (after ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k])).sort();
}

export interface ObjectDiff {
  created: WarehousePlanItem[];
  changed: WarehousePlanItem[];
  removed: WarehousePlanItem[];
  unchanged: WarehousePlanItem[];
}

/** The request against this project's stored objects: what is new, changed, the same, or removed (prune). */
export function diffObjects(req: WarehouseApplyRequest, own: readonly StoredObject[]): ObjectDiff {
  const diff: ObjectDiff = { created: [], changed: [], removed: [], unchanged: [] };
  const stored = new Map(own.map((o) => [`${o.kind}|${o.name}`, o]));
  const seen = new Set<string>();
  for (const o of requestObjects(req)) {
    const key = `${o.kind}|${o.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const before = stored.get(key);
    if (!before) diff.created.push({ kind: o.kind, name: o.name, changes: [] });
    else if (before.definition_sha256 !== definitionSha(o.def)) diff.changed.push({ kind: o.kind, name: o.name, fields: changedFields(before.definition, o.def), changes: [] });
    else diff.unchanged.push({ kind: o.kind, name: o.name });
  }
  if (req.prune) {
    for (const o of own) if (!seen.has(`${o.kind}|${o.name}`)) diff.removed.push({ kind: o.kind, name: o.name, changes: [] });
  }
  return diff;
}
