import type { FeatureValueType, FeatureViewDefinition } from '@mlp/contracts';
import { PlatformError } from '@mlp/runtime';
import { entityKeySql } from './entity-key';
import { quoteIdent } from './feature-ref';

/**
 * Guards for the SQL of a feature view source. The SQL is written by an admin, but it still runs
 * inside the service's database, so it must be one SELECT over published marts: no statement
 * separators, no functions that run SQL from strings or touch the server, and (checked on the
 * plan, see `relationsOfPlan`) no relation outside `dwh.mart_*`. It always runs in a READ ONLY
 * transaction, so a writable CTE fails there too.
 */
const FORBIDDEN_FUNCTIONS =
  /\b(pg_[a-z_]*|lo_[a-z_]*|dblink[a-z_]*|query_to_xml[a-z_]*|table_to_xml[a-z_]*|cursor_to_xml[a-z_]*|schema_to_xml[a-z_]*|database_to_xml[a-z_]*|ts_stat|set_config|current_setting|nextval|setval|txid_[a-z_]*)\s*\(/i;

export function checkSourceSqlText(sql: string, what = 'source SQL'): void {
  const problems: string[] = [];
  if (!/^\s*(select|with)\b/i.test(sql)) problems.push('must start with SELECT or WITH');
  if (sql.includes(';')) problems.push('must be a single statement (no ";")');
  if (/--|\/\*/.test(sql)) problems.push('must not contain comments');
  const fn = FORBIDDEN_FUNCTIONS.exec(sql);
  if (fn) problems.push(`must not call ${fn[1]}()`);
  if (problems.length) {
    throw PlatformError.badRequest(`${what} is not allowed: ${problems.join('; ')}`, problems.map((m) => ({ code: 'INVALID_SOURCE_SQL', message: m })), 'INVALID_SOURCE_SQL');
  }
}

/** Every relation a plan reads, from `EXPLAIN (VERBOSE, FORMAT JSON)` output. */
export function relationsOfPlan(plan: unknown): Array<{ schema: string; name: string }> {
  const out: Array<{ schema: string; name: string }> = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const rec = node as Record<string, unknown>;
    if (typeof rec['Relation Name'] === 'string') out.push({ schema: String(rec['Schema'] ?? ''), name: rec['Relation Name'] });
    for (const v of Object.values(rec)) if (v && typeof v === 'object') walk(v);
  };
  walk(plan);
  return out;
}

export const MART_RELATION = (r: { schema: string; name: string }) => r.schema === 'dwh' && /^mart_[a-z0-9_]+$/.test(r.name);

/**
 * What label SQL may read: the published marts and the warehouse's imported sources (`dwh.src_*`,
 * e.g. a CRM's outcomes), as the trainer's spec rules allow. Not the warehouse's bookkeeping tables
 * (imports, outbox, projects, ...), which share the schema.
 */
export const LABEL_RELATION = (r: { schema: string; name: string }) => MART_RELATION(r) || (r.schema === 'dwh' && /^src_[a-z0-9_]+$/.test(r.name));

/** PostgreSQL type OIDs a source column may have for each declared feature type. */
export const INT_OIDS = [20, 21, 23];
const FLOAT_OIDS = [700, 701, 1700, ...INT_OIDS];
/** text, char(n), varchar(n), name. */
export const TEXT_OIDS = [25, 1042, 1043, 19];
export const TIMESTAMP_OIDS = [1082, 1114, 1184];
export const COMPATIBLE_OIDS: Record<FeatureValueType, number[]> = {
  int64: INT_OIDS,
  float64: FLOAT_OIDS,
  string: TEXT_OIDS,
  bool: [16],
};
export const SQL_TYPE: Record<FeatureValueType, string> = {
  int64: 'bigint',
  float64: 'double precision',
  string: 'text',
  bool: 'boolean',
};

/** Checks the columns a source returns against the view: join key, timestamp and typed features. */
export function checkSourceColumns(view: FeatureViewDefinition, joinKeys: string[], columns: Array<{ name: string; dataTypeID: number }>): string[] {
  const byName = new Map(columns.map((c) => [c.name, c.dataTypeID]));
  const problems: string[] = [];
  for (const joinKey of joinKeys) if (!byName.has(joinKey)) problems.push(`join key column "${joinKey}" is missing`);
  const ts = timestampField(view);
  const tsType = byName.get(ts);
  if (tsType === undefined) problems.push(`timestamp column "${ts}" is missing`);
  else if (!TIMESTAMP_OIDS.includes(tsType)) problems.push(`timestamp column "${ts}" is not a date or timestamp`);
  for (const f of view.features) {
    const oid = byName.get(f.name);
    if (oid === undefined) problems.push(`feature column "${f.name}" is missing`);
    else if (!COMPATIBLE_OIDS[f.type].includes(oid)) problems.push(`feature column "${f.name}" (type oid ${oid}) is not compatible with ${f.type}`);
  }
  return problems;
}

export const timestampField = (view: FeatureViewDefinition) => view.source.timestamp_field ?? 'event_timestamp';

/**
 * The source of one view version projected onto the store's shape
 * (entity_key text: the encoded join key(s), see `encodeEntityKey`; event_timestamp timestamptz;
 * _seq bigint; one typed column per feature), with pushed offline rows appended.
 *
 * The tie rule (the same in training sets, materialization and the online stores): of rows with
 * the same entity and event time, the latest written wins, by `_seq`: a pushed row's write
 * sequence number (`write_seq`, from 1, in push order and, within a push, in row order); a source
 * row counts as 0, so a pushed row wins against the mart. Two source rows of one entity and event
 * time (duplicates in the mart) have no order between them: which one is used is not defined, and
 * training sets and materialization may pick differently; a source gives one row per entity and
 * event time. (Ordering them by content would cost every training set a hash of every source row.)
 * Only registry-checked identifiers and integers are interpolated.
 */
export function projectedSource(schema: string, view: FeatureViewDefinition, version: number, joinKeys: string[]): string {
  const ts = quoteIdent(timestampField(view));
  const cols = view.features.map((f) => `(s.${quoteIdent(f.name)})::${SQL_TYPE[f.type]} AS ${quoteIdent(f.name)}`).join(', ');
  const pushed = view.features.map((f) => `(p."values"->>'${f.name}')::${SQL_TYPE[f.type]} AS ${quoteIdent(f.name)}`).join(', ');
  quoteIdent(view.name);
  if (!Number.isInteger(version)) throw new Error('version must be an integer');
  const keysPresent = joinKeys.map((k) => `s.${quoteIdent(k)} IS NOT NULL`).join(' AND ');
  return `SELECT ${entityKeySql('s', joinKeys)} AS entity_key, (s.${ts})::timestamptz AS event_timestamp, 0::bigint AS _seq, ${cols}
            FROM (${view.source.sql}) s WHERE s.${ts} IS NOT NULL AND ${keysPresent}
          UNION ALL
          SELECT p.entity_key, p.event_timestamp, p.write_seq AS _seq, ${pushed}
            FROM ${quoteIdent(schema)}.offline_pushes p WHERE p.view = '${view.name}' AND p.version = ${version}`;
}
