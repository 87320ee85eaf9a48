import { loadModule, parseSync } from 'libpg-query';

let parserReady: Promise<void> | undefined;

// Nodes that write, lock or create something, or take parameters the platform does not bind.
const FORBIDDEN: Record<string, string> = {
  InsertStmt: 'an INSERT',
  UpdateStmt: 'an UPDATE',
  DeleteStmt: 'a DELETE',
  MergeStmt: 'a MERGE',
  intoClause: 'SELECT INTO',
  lockingClause: 'FOR UPDATE/SHARE',
  ParamRef: 'a $n parameter',
};

/**
 * Functions a READ ONLY transaction still lets through that reach beyond the statement: settings
 * and advisory locks that outlive it on a pooled connection, other sessions, server files, remote
 * databases. (The deeper guard, for a production warehouse, is a role that may only read marts.)
 */
const FORBIDDEN_FUNCTION = /^(set_config|pg_(try_)?advisory_(xact_)?lock(_shared)?|pg_advisory_unlock(_all|_shared)?|pg_terminate_backend|pg_cancel_backend|pg_reload_conf|pg_rotate_logfile|pg_promote|pg_read_file|pg_read_binary_file|pg_ls_\w+|pg_stat_file|lo_\w+|dblink\w*|pg_notify|pg_logical_\w+|pg_replication_\w+|pg_switch_wal|pg_create_\w+|pg_drop_\w+)$/;

/**
 * Definition SQL (an outcome's, a KPI's) that the platform embeds as a subquery: it must be exactly
 * one plain SELECT (or WITH ... SELECT) without data-modifying parts or the functions above. PostgreSQL's own parser
 * decides; the statement still runs in a READ ONLY transaction with a timeout (the second guard).
 * Answers the problem, or null when the SQL is acceptable. A trailing semicolon is tolerated.
 */
export async function singleSelectProblem(sql: string): Promise<string | null> {
  parserReady ??= loadModule();
  await parserReady;
  let tree: { stmts?: Array<{ stmt?: Record<string, unknown> }> };
  try {
    tree = parseSync(sql);
  } catch (err) {
    return `the SQL does not parse: ${(err as Error).message}`;
  }
  const stmts = tree.stmts ?? [];
  if (stmts.length !== 1) return `the SQL must be one statement, found ${stmts.length}`;
  const stmt = stmts[0]?.stmt ?? {};
  if (!('SelectStmt' in stmt)) return `the SQL must be a SELECT, found ${Object.keys(stmt)[0] ?? 'nothing'}`;
  return forbiddenIn(stmt);
}

function forbiddenIn(node: unknown): string | null {
  if (Array.isArray(node)) {
    for (const child of node) {
      const found = forbiddenIn(child);
      if (found) return found;
    }
    return null;
  }
  if (typeof node !== 'object' || node === null) return null;
  const call = (node as { FuncCall?: { funcname?: Array<{ String?: { sval?: string } }> } }).FuncCall;
  const name = call?.funcname?.at(-1)?.String?.sval;
  if (name && FORBIDDEN_FUNCTION.test(name.toLowerCase())) return `the SQL must only read, but it calls ${name}()`;
  for (const [key, child] of Object.entries(node)) {
    if (key in FORBIDDEN) return `the SQL must only read, but it holds ${FORBIDDEN[key]}`;
    const found = forbiddenIn(child);
    if (found) return found;
  }
  return null;
}

/** The SQL without a trailing semicolon, ready to be wrapped in parentheses (on lines of its own, so a trailing comment cannot swallow them). */
export function asSubquery(sql: string): string {
  return `(\n${sql.replace(/[\s;]+$/, '')}\n)`;
}
