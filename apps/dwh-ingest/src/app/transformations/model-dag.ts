/** A declarative transformation model (dbt-like), plain data so the DAG can be checked and unit-tested. */
export type Materialization = 'view' | 'table' | 'incremental';

export type DataTest =
  | { kind: 'unique'; columns: string[]; severity?: 'error' | 'warn' }
  | { kind: 'not_null'; column: string; severity?: 'error' | 'warn' }
  | { kind: 'accepted_values'; column: string; values: string[]; severity?: 'error' | 'warn' }
  | { kind: 'relationships'; column: string; to: string; field: string; severity?: 'error' | 'warn' };

export interface ModelDefinition {
  name: string;
  layer: 'staging' | 'marts';
  description: string;
  materialized: Materialization;
  /** Models this one selects from (must run first). */
  deps: string[];
  /** Raw tables it reads, with their loaded-at column: new rows there mean a table model must rebuild. */
  sources?: Array<{ table: string; loadedAt: string }>;
  /** Columns of a table/incremental model, created when missing; the SELECT yields exactly these. */
  columns?: Array<{ name: string; type: string }>;
  /** Incremental: the upsert key. Table: the primary key. */
  uniqueKey?: string[];
  indexes?: string[][];
  /**
   * Incremental: the SELECT filters the source's loaded-at column with `{{from}}` (inclusive) and
   * `{{to}}` (exclusive); the window advances only after a successful build.
   */
  watermark?: { column: string };
  /** Table models rebuild when inputs changed, or at least this often (time-dependent outputs). */
  maxAgeSeconds?: number;
  sql: string;
  tests: DataTest[];
}

export const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const QUALIFIED = /^[a-z_][a-z0-9_]{0,62}\.[a-z_][a-z0-9_]{0,62}$/;
const COLUMN_TYPE = /^[a-z][a-z0-9_ ]*(\(\d+(,\s*\d+)?\))?$/;

/** Every structural mistake in a model set, so a bad DAG fails at start rather than mid-run. */
export function checkModels(models: readonly ModelDefinition[]): string[] {
  const errors: string[] = [];
  const names = new Set<string>();
  for (const m of models) {
    if (!IDENTIFIER.test(m.name)) errors.push(`model name ${JSON.stringify(m.name)} is not an identifier`);
    if (names.has(m.name)) errors.push(`model ${m.name} is defined twice`);
    names.add(m.name);
  }
  for (const m of models) {
    for (const d of m.deps) if (!names.has(d)) errors.push(`${m.name} depends on unknown model ${d}`);
    for (const s of m.sources ?? []) {
      if (!QUALIFIED.test(s.table) || !IDENTIFIER.test(s.loadedAt)) errors.push(`${m.name} has an invalid source ${s.table}.${s.loadedAt}`);
    }
    const columns = new Set((m.columns ?? []).map((c) => c.name));
    for (const c of m.columns ?? []) {
      if (!IDENTIFIER.test(c.name) || !COLUMN_TYPE.test(c.type)) errors.push(`${m.name} has an invalid column ${c.name} ${c.type}`);
    }
    const usesWindow = m.sql.includes('{{from}}') || m.sql.includes('{{to}}');
    if (m.materialized === 'incremental') {
      if (!m.uniqueKey?.length) errors.push(`${m.name} is incremental without a unique key`);
      if (!m.watermark) errors.push(`${m.name} is incremental without a watermark column`);
      if (!usesWindow) errors.push(`${m.name} is incremental but its SQL does not filter on {{from}}/{{to}}`);
    } else if (usesWindow) {
      errors.push(`${m.name} uses {{from}}/{{to}} but is not incremental`);
    }
    if (m.materialized !== 'view' && !columns.size) errors.push(`${m.name} is a ${m.materialized} without declared columns`);
    for (const k of [...(m.uniqueKey ?? []), ...(m.indexes ?? []).flat()]) {
      if (!columns.has(k)) errors.push(`${m.name}: key/index column ${k} is not a declared column`);
    }
    if (m.watermark && !IDENTIFIER.test(m.watermark.column)) errors.push(`${m.name}: invalid watermark column`);
    for (const t of m.tests) {
      const cols = t.kind === 'unique' ? t.columns : [t.column];
      for (const c of cols) if (!IDENTIFIER.test(c) || (columns.size && !columns.has(c))) errors.push(`${m.name}: test ${t.kind} on unknown column ${c}`);
      if (t.kind === 'relationships') {
        if (!names.has(t.to)) errors.push(`${m.name}: relationships test points to unknown model ${t.to}`);
        if (!IDENTIFIER.test(t.field)) errors.push(`${m.name}: relationships test has an invalid field ${t.field}`);
      }
    }
  }
  if (!errors.length) {
    try {
      topologicalOrder(models);
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return errors;
}

/** Dependency order (Kahn), ties broken by definition order so runs are reproducible. */
export function topologicalOrder(models: readonly ModelDefinition[]): ModelDefinition[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const indegree = new Map(models.map((m) => [m.name, m.deps.filter((d) => byName.has(d)).length]));
  const order: ModelDefinition[] = [];
  const ready = models.filter((m) => indegree.get(m.name) === 0);
  while (ready.length) {
    const m = ready.shift() as ModelDefinition;
    order.push(m);
    for (const child of models) {
      if (!child.deps.includes(m.name)) continue;
      const left = (indegree.get(child.name) ?? 0) - 1;
      indegree.set(child.name, left);
      if (left === 0) ready.push(child);
    }
  }
  if (order.length !== models.length) {
    const stuck = models.filter((m) => !order.includes(m)).map((m) => m.name);
    throw new Error(`the model graph has a cycle through ${stuck.join(', ')}`);
  }
  return order;
}

/** The selected models and everything downstream of them, in dependency order. */
export function selectWithDownstream(models: readonly ModelDefinition[], selected: string[]): ModelDefinition[] {
  const keep = new Set(selected);
  for (const m of topologicalOrder(models)) if (m.deps.some((d) => keep.has(d))) keep.add(m.name);
  return topologicalOrder(models).filter((m) => keep.has(m.name));
}

/** Binds the incremental window: `{{from}}`/`{{to}}` become typed parameters $1/$2. */
export function bindWindow(sql: string): string {
  return sql.replace(/\{\{from\}\}/g, '$1::timestamptz').replace(/\{\{to\}\}/g, '$2::timestamptz');
}
