import { PlatformError } from '@mlp/runtime';

const IDENT = /^[a-z][a-z0-9_]{0,62}$/;
const MART = /^mart_[a-z0-9_]{1,58}$/;

export type BatchSource = { mart: string; key: string } | { sql: string; key: string };

/**
 * A user-supplied entity query must be one plain SELECT (or WITH ... SELECT): no statement
 * separators and no comments that could hide one. It also runs in a READ ONLY transaction with the
 * statement timeout, so a data-modifying CTE fails there too.
 */
export function checkEntitySql(sql: string): string {
  const text = sql.trim().replace(/;\s*$/, '');
  const problem = text.includes(';')
    ? 'only one statement is allowed'
    : /--|\/\*/.test(text)
      ? 'comments are not allowed'
      : !/^(select|with)\b/i.test(text)
        ? 'must be a SELECT (or WITH ... SELECT)'
        : undefined;
  if (problem) throw PlatformError.badRequest(`source.sql ${problem}`, [{ path: '$.source.sql', code: 'INVALID_SQL', message: problem }], 'INVALID_SQL');
  return text;
}

/**
 * The next chunk of entity keys after `cursor` (keyset pagination on the key as text, so a job
 * resumes exactly where its last committed chunk ended). Identifiers are checked by strict
 * patterns here and against the catalogue by the caller; values are parameters.
 */
export function keysQuery(source: BatchSource, cursor: string | null, limit: number): { sql: string; params: unknown[] } {
  if (!IDENT.test(source.key)) throw PlatformError.badRequest('invalid key column', [], 'INVALID_SOURCE');
  if ('mart' in source) {
    if (!MART.test(source.mart)) throw PlatformError.badRequest('invalid mart name', [], 'INVALID_SOURCE');
    return {
      sql: `SELECT DISTINCT "${source.key}"::text AS k FROM "dwh"."${source.mart}" WHERE "${source.key}" IS NOT NULL AND "${source.key}"::text > $1 ORDER BY 1 LIMIT $2`,
      params: [cursor ?? '', limit],
    };
  }
  const inner = checkEntitySql(source.sql);
  return {
    sql: `SELECT DISTINCT src.k::text AS k FROM (${inner}) AS src(k) WHERE src.k IS NOT NULL AND src.k::text > $1 ORDER BY 1 LIMIT $2`,
    params: [cursor ?? '', limit],
  };
}

/**
 * The client's mistake in a failing entity query (syntax, unknown table or column, a data-modifying
 * CTE, a write in the read-only transaction): a 400 INVALID_SQL. Anything else (the database being
 * away) is not the client's and gives undefined.
 */
export function entityQueryMistake(err: unknown): PlatformError | undefined {
  const code = (err as { code?: string; driverError?: { code?: string } }).driverError?.code ?? (err as { code?: string }).code;
  if (typeof code !== 'string' || !/^(42|22|0A|25006)/.test(code)) return undefined;
  const message = (err as Error).message;
  return PlatformError.badRequest(`the entity query failed: ${message}`, [{ path: '$.source', code: 'INVALID_SQL', message }], 'INVALID_SQL');
}
