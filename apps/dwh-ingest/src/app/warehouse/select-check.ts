import { parse } from 'libpg-query';
import { IDENTIFIER } from './identifiers';

/**
 * What a team's SQL may do, checked on PostgreSQL's own parse tree (libpg-query) before anything
 * runs: exactly one SELECT (WITH ... SELECT allowed), reading only the relations the caller allows,
 * calling no function that reaches the server. Framework-free so the rules are unit-tested. The
 * apply checks every definition with it (warehouse-plan), and the outcome refresh and KPI reads
 * check the stored SQL again before it runs (`definitionSqlProblem`).
 */

export type SqlProblemCode = 'SQL_NOT_SELECT' | 'SQL_UNKNOWN_RELATION' | 'SQL_FORBIDDEN_RELATION' | 'SQL_FORBIDDEN_FUNCTION' | 'SQL_PARAMETER' | 'SQL_ERROR';

export interface SqlProblem {
  code: SqlProblemCode;
  message: string;
}

/** A relation the SQL reads (not a CTE), with the byte offset of its name in the checked text. */
export interface RelationRef {
  name: string;
  schema: string | null;
  location: number;
}

export interface SelectAnalysis {
  problems: SqlProblem[];
  /** Distinct relation names read, in order of appearance. */
  relations: string[];
  refs: RelationRef[];
}

export interface SelectRules {
  /** Whether an unqualified or `dwh.`-qualified relation name may be read. */
  allowed: (name: string) => boolean;
  /** Outcomes and KPIs read published marts as `dwh.<name>` only. */
  requireQualified?: boolean;
  /** Parameter numbers the text may hold (the bound `{{from}}`/`{{to}}`). */
  parameters?: readonly number[];
}

export const WAREHOUSE_SCHEMA = 'dwh';

// Functions that touch the server, its files, sessions, locks, settings, sequences or other
// databases, or reveal catalog definitions the SQL may not read directly.
const FORBIDDEN_FUNCTIONS = new Set([
  'set_config', 'current_setting', 'pg_terminate_backend', 'pg_cancel_backend', 'pg_reload_conf', 'pg_notify', 'pg_listening_channels',
  'query_to_xml', 'query_to_xmlschema', 'query_to_xml_and_xmlschema', 'cursor_to_xml', 'cursor_to_xmlschema', 'table_to_xml',
  'table_to_xmlschema', 'table_to_xml_and_xmlschema', 'schema_to_xml', 'schema_to_xmlschema', 'schema_to_xml_and_xmlschema',
  'database_to_xml', 'database_to_xmlschema', 'database_to_xml_and_xmlschema', 'nextval', 'setval', 'currval', 'lastval',
  'pg_rotate_logfile', 'pg_promote', 'pg_export_snapshot', 'pg_import_system_collations', 'pg_log_backend_memory_contexts',
  'pg_backend_pid', 'pg_blocking_pids', 'pg_safe_snapshot_blocking_pids', 'version', 'inet_server_addr', 'inet_server_port',
  'pg_conf_load_time', 'pg_postmaster_start_time', 'pg_tablespace_location', 'pg_describe_object', 'pg_relation_filepath',
  'pg_truncate_visibility_map', 'pg_stat_file', 'pg_settings_get_flags', 'pg_jit_available', 'pg_is_in_recovery',
]);
const FORBIDDEN_PREFIX =
  /^(pg_read_|pg_ls_|lo_|dblink|pg_sleep|pg_advisory|pg_try_advisory|txid_|pg_stat_|pg_file_|pg_logical_|pg_replication_|pg_create_|pg_drop_|pg_copy_|pg_wal|pg_switch_|pg_backup|pg_start_backup|pg_stop_backup|pg_xact_|pg_current_|pg_snapshot_|pg_visible_in_snapshot|pg_last_|pg_control_|pg_notification_|pg_event_trigger|pg_identify_object|pg_get_|pg_partition_|pg_relation_filenode|pg_filenode_relation|pg_import_|pg_column_toast|pg_options_to_table)/;

export function forbiddenFunction(schema: string | null, name: string): string | null {
  if (schema !== null && schema !== 'pg_catalog') return `${schema}.${name}: only built-in (pg_catalog) functions may be called`;
  if (FORBIDDEN_FUNCTIONS.has(name) || FORBIDDEN_PREFIX.test(name)) return `${name}() reaches the server and may not be called`;
  return null;
}

type Node = Record<string, unknown>;
const isObject = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const sval = (v: unknown): string => (isObject(v) && isObject(v['String']) ? String((v['String'] as Node)['sval'] ?? '') : '');

class Walker {
  readonly problems: SqlProblem[] = [];
  readonly refs: RelationRef[] = [];

  constructor(private readonly rules: SelectRules) {}

  private problem(code: SqlProblemCode, message: string) {
    if (!this.problems.some((p) => p.code === code && p.message === message)) this.problems.push({ code, message });
  }

  walk(node: unknown, scope: ReadonlySet<string>): void {
    if (Array.isArray(node)) {
      for (const n of node) this.walk(n, scope);
      return;
    }
    if (!isObject(node)) return;
    for (const [key, value] of Object.entries(node)) {
      switch (key) {
        case 'SelectStmt':
          this.select(value as Node, scope);
          break;
        case 'RangeVar':
          this.relation(value as Node, scope);
          break;
        case 'FuncCall':
          this.call(value as Node);
          this.walk(value, scope);
          break;
        case 'InsertStmt':
        case 'UpdateStmt':
        case 'DeleteStmt':
        case 'MergeStmt':
          this.problem('SQL_NOT_SELECT', 'data-modifying statements (also inside WITH) are not allowed');
          break;
        case 'lockingClause':
          this.problem('SQL_NOT_SELECT', 'locking clauses (FOR UPDATE/SHARE) are not allowed');
          break;
        case 'intoClause':
          this.problem('SQL_NOT_SELECT', 'SELECT INTO is not allowed');
          break;
        case 'ParamRef': {
          const n = Number((value as Node)['number'] ?? 0);
          if (!(this.rules.parameters ?? []).includes(n)) this.problem('SQL_PARAMETER', `$${n}: parameters are not allowed (incremental models use {{from}} and {{to}})`);
          break;
        }
        default:
          this.walk(value, scope);
      }
    }
  }

  private select(stmt: Node, scope: ReadonlySet<string>): void {
    let inner = scope;
    const withClause = stmt['withClause'];
    if (isObject(withClause)) {
      const ctes = ((withClause['ctes'] as unknown[]) ?? []).map((c) => (isObject(c) ? (c['CommonTableExpr'] as Node) : {}));
      const names = ctes.map((c) => String(c['ctename'] ?? ''));
      const all = new Set([...scope, ...names]);
      ctes.forEach((cte, i) => {
        const query = cte['ctequery'];
        if (!isObject(query) || !('SelectStmt' in query)) this.problem('SQL_NOT_SELECT', `WITH ${names[i]}: only SELECT is allowed inside WITH`);
        // A non-recursive CTE sees only the ones before it: a later name resolves to a real relation.
        this.walk(query, withClause['recursive'] ? all : new Set([...scope, ...names.slice(0, i)]));
      });
      inner = all;
    }
    for (const [key, value] of Object.entries(stmt)) {
      if (key === 'withClause') continue;
      if (key === 'lockingClause' || key === 'intoClause') {
        this.walk({ [key]: value }, inner);
        continue;
      }
      this.walk(value, inner);
    }
  }

  private relation(rv: Node, scope: ReadonlySet<string>): void {
    const name = String(rv['relname'] ?? '');
    const schema = typeof rv['schemaname'] === 'string' ? (rv['schemaname'] as string) : null;
    const location = Number(rv['location'] ?? -1);
    if (rv['catalogname'] !== undefined) {
      this.problem('SQL_FORBIDDEN_RELATION', `${rv['catalogname']}.${schema}.${name}: only relations of the warehouse may be read`);
      return;
    }
    if (schema === null && scope.has(name)) return;
    if (schema !== null && schema !== WAREHOUSE_SCHEMA) {
      this.problem('SQL_FORBIDDEN_RELATION', `${schema}.${name}: only relations of the warehouse schema ${WAREHOUSE_SCHEMA} may be read`);
      return;
    }
    if (schema === null && this.rules.requireQualified) {
      this.problem('SQL_UNKNOWN_RELATION', `${name}: write ${WAREHOUSE_SCHEMA}.${name} (published marts are read qualified)`);
      return;
    }
    if (!this.rules.allowed(name)) {
      this.problem('SQL_UNKNOWN_RELATION', `${name} is not a declared source (src_<name>), events, prediction_log, a batch results table (scores_<name>) or a model this SQL may read`);
      return;
    }
    this.refs.push({ name, schema, location });
  }

  private call(fc: Node): void {
    const parts = ((fc['funcname'] as unknown[]) ?? []).map(sval);
    const name = parts[parts.length - 1] ?? '';
    const schema = parts.length > 1 ? parts.slice(0, -1).join('.') : null;
    const why = forbiddenFunction(schema, name);
    if (why) this.problem('SQL_FORBIDDEN_FUNCTION', why);
  }
}

/** Parses `sql` with PostgreSQL's parser and checks it against the rules. */
export async function analyseSelect(sql: string, rules: SelectRules): Promise<SelectAnalysis> {
  let tree: { stmts?: Array<{ stmt?: Node }> };
  try {
    tree = await parse(sql);
  } catch (err) {
    return { problems: [{ code: 'SQL_ERROR', message: `syntax: ${(err as Error).message}` }], relations: [], refs: [] };
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length !== 1) return { problems: [{ code: 'SQL_NOT_SELECT', message: `exactly one statement is allowed, found ${stmts.length}` }], relations: [], refs: [] };
  const stmt = stmts[0].stmt ?? {};
  if (!('SelectStmt' in stmt)) return { problems: [{ code: 'SQL_NOT_SELECT', message: `only a SELECT is allowed, found ${Object.keys(stmt)[0] ?? 'nothing'}` }], relations: [], refs: [] };
  const walker = new Walker(rules);
  walker.walk(stmt, new Set());
  return { problems: walker.problems, relations: [...new Set(walker.refs.map((r) => r.name))], refs: walker.refs };
}

/**
 * The check that the outcome refresh and KPI reads make of a stored definition's SQL before it runs
 * (it runs after that in a READ ONLY transaction with a timeout, the second guard): the rules of
 * `analyseSelect`, with any warehouse relation readable, since which marts exist is the apply's
 * to check. The problems as one message, or null when the SQL may run.
 */
export async function definitionSqlProblem(sql: string): Promise<string | null> {
  const { problems } = await analyseSelect(sql, { allowed: () => true });
  return problems.length ? `the SQL is refused: ${problems.map((p) => `${p.message} (${p.code})`).join('; ')}` : null;
}

/**
 * Rewrites every relation reference (by byte offset) to `"<schema>"."<name>"`, so the same SQL can
 * be compiled against a scratch schema. `refs` come from `analyseSelect` of the same text.
 */
export function qualifyRelations(sql: string, refs: readonly RelationRef[], schema: string): string {
  if (!IDENTIFIER.test(schema)) throw new Error(`not a schema name: ${schema}`);
  let bytes = Buffer.from(sql, 'utf8');
  for (const ref of [...refs].sort((a, b) => b.location - a.location)) {
    const start = ref.location;
    if (ref.schema !== null) {
      // Replace the schema token (quoted or not) and the dot after it.
      let end = start;
      if (bytes[end] === 0x22) {
        end++;
        while (end < bytes.length && !(bytes[end] === 0x22 && bytes[end + 1] !== 0x22)) end += bytes[end] === 0x22 ? 2 : 1;
        end++;
      } else {
        while (end < bytes.length && /[A-Za-z0-9_$]/.test(String.fromCharCode(bytes[end]))) end++;
      }
      while (end < bytes.length && /\s/.test(String.fromCharCode(bytes[end]))) end++;
      if (bytes[end] !== 0x2e) throw new Error(`cannot rewrite the relation at byte ${start}`);
      end++;
      while (end < bytes.length && /\s/.test(String.fromCharCode(bytes[end]))) end++;
      bytes = Buffer.concat([bytes.subarray(0, start), Buffer.from(`"${schema}".`), bytes.subarray(end)]);
    } else {
      bytes = Buffer.concat([bytes.subarray(0, start), Buffer.from(`"${schema}".`), bytes.subarray(start)]);
    }
  }
  return bytes.toString('utf8');
}

/** The incremental window in model SQL: `{{from}}`/`{{to}}` as typed parameters $1/$2. */
export const bindWindow = (sql: string): string => sql.replace(/\{\{from\}\}/g, '$1::timestamptz').replace(/\{\{to\}\}/g, '$2::timestamptz');
/** The window as constants, for compiling a model as a view (a view cannot hold parameters). */
export const windowAsNull = (sql: string): string => sql.replace(/\{\{(from|to)\}\}/g, 'NULL::timestamptz');
export const usesWindow = (sql: string): boolean => /\{\{(from|to)\}\}/.test(sql);
/**
 * The SQL without trailing semicolons and white space, so it can be embedded (`CREATE VIEW ... AS`, a
 * CTE, a subquery): callers put it on lines of its own, so a trailing comment cannot swallow what follows.
 */
export const withoutTerminator = (sql: string): string => sql.replace(/[\s;]+$/, '');
/** Definition SQL as a parenthesised subquery (on lines of its own, so a trailing comment cannot swallow the parenthesis). */
export const asSubquery = (sql: string): string => `(\n${withoutTerminator(sql)}\n)`;
/** A custom data test's SQL with its model in place of `{{model}}`. */
export const bindModel = (sql: string, model: string): string => sql.replace(/\{\{model\}\}/g, model);
