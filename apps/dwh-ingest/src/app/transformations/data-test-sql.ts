import type { DataTestDefinition } from '@mlp/contracts';
import { quoteIdentifier as q } from '../warehouse/identifiers';
import { bindModel, withoutTerminator } from '../warehouse/select-check';

/** How many offending rows are reported with a failing test. */
export const SAMPLE_ROWS = 5;

/** A test as its results are stored and listed: `unique(id) [error]`. */
export function testLabel(t: DataTestDefinition): string {
  return `${testName(t)} [${t.severity ?? 'error'}]`;
}

export function testName(t: DataTestDefinition): string {
  switch (t.kind) {
    case 'unique':
      return `unique(${t.columns.join(',')})`;
    case 'not_null':
      return `not_null(${t.column})`;
    case 'accepted_values':
      return `accepted_values(${t.column})`;
    case 'relationships':
      return `relationships(${t.column} -> ${t.to}.${t.field})`;
    case 'sql':
      return `sql(${t.name})`;
  }
}

/**
 * The query of a data test: one row with the number of failing rows and up to SAMPLE_ROWS examples.
 * Names are checked identifiers; accepted values are a bound parameter; a custom test's SQL passed
 * the model SQL check at apply (it reads `{{model}}`, the relation under test).
 */
export function dataTestQuery(schema: string, model: string, t: DataTestDefinition): { sql: string; params: unknown[] } {
  const table = `${q(schema)}.${q(model)}`;
  switch (t.kind) {
    case 'unique': {
      const cols = t.columns.map(q).join(', ');
      return {
        sql: `SELECT count(*)::bigint AS failures, coalesce(jsonb_agg(to_jsonb(d) - 'rn') FILTER (WHERE d.rn <= ${SAMPLE_ROWS}), '[]') AS sample
                FROM (SELECT ${cols}, count(*) AS n, row_number() OVER () AS rn FROM ${table} GROUP BY ${cols} HAVING count(*) > 1) d`,
        params: [],
      };
    }
    case 'not_null':
      return {
        sql: `SELECT (SELECT count(*)::bigint FROM ${table} WHERE ${q(t.column)} IS NULL) AS failures,
                     (SELECT coalesce(jsonb_agg(to_jsonb(s)), '[]') FROM (SELECT * FROM ${table} WHERE ${q(t.column)} IS NULL LIMIT ${SAMPLE_ROWS}) s) AS sample`,
        params: [],
      };
    case 'accepted_values':
      return {
        sql: `SELECT count(*)::bigint AS failures, coalesce(jsonb_agg(DISTINCT ${q(t.column)}::text), '[]') AS sample
                FROM ${table} WHERE ${q(t.column)} IS NOT NULL AND ${q(t.column)}::text <> ALL($1::text[])`,
        params: [t.values],
      };
    case 'relationships':
      return {
        sql: `SELECT count(*)::bigint AS failures, to_jsonb(coalesce((array_agg(DISTINCT c.${q(t.column)}::text))[1:${SAMPLE_ROWS}], '{}')::text[]) AS sample
                FROM ${table} c WHERE c.${q(t.column)} IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM ${q(schema)}.${q(t.to)} p WHERE p.${q(t.field)} = c.${q(t.column)})`,
        params: [],
      };
    case 'sql':
      // The offending rows are the test's own rows: count them all, report the first few.
      return {
        sql: `WITH offending AS (
${withoutTerminator(bindModel(t.sql, table))}
)
              SELECT (SELECT count(*)::bigint FROM offending) AS failures,
                     (SELECT coalesce(jsonb_agg(to_jsonb(s)), '[]') FROM (SELECT * FROM offending LIMIT ${SAMPLE_ROWS}) s) AS sample`,
        params: [],
      };
  }
}
