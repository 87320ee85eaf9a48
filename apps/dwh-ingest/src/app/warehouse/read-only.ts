/**
 * Makes the caller's open transaction the place where definition SQL (an outcome's, a KPI's) runs
 * after `definitionSqlProblem` let it through: READ ONLY, bounded by `timeoutMs`, unqualified names
 * resolved in the warehouse schema first. Everything is transaction-local (gone at its end).
 */
export async function readOnlyForDefinitionSql(query: (sql: string, params?: unknown[]) => Promise<unknown>, timeoutMs: number): Promise<void> {
  await query(`SET TRANSACTION READ ONLY`);
  await query(`SELECT set_config('statement_timeout', $1, true), set_config('search_path', 'dwh, public', true)`, [String(timeoutMs)]);
}
