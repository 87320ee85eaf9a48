import type { DataTest } from './model-dag';
import { IDENTIFIER } from './model-dag';

const q = (id: string) => {
  if (!IDENTIFIER.test(id)) throw new Error(`not an identifier: ${id}`);
  return `"${id}"`;
};

export function testName(t: DataTest): string {
  switch (t.kind) {
    case 'unique':
      return `unique(${t.columns.join(',')})`;
    case 'not_null':
      return `not_null(${t.column})`;
    case 'accepted_values':
      return `accepted_values(${t.column})`;
    case 'relationships':
      return `relationships(${t.column} -> ${t.to}.${t.field})`;
  }
}

/**
 * The query of a data test: one row with the number of failing rows and up to 5 examples. Names are
 * checked identifiers; accepted values are a bound parameter.
 */
export function dataTestQuery(schema: string, model: string, t: DataTest): { sql: string; params: unknown[] } {
  const table = `${q(schema)}.${q(model)}`;
  switch (t.kind) {
    case 'unique': {
      const cols = t.columns.map(q).join(', ');
      return {
        sql: `SELECT count(*)::bigint AS failures, coalesce(jsonb_agg(to_jsonb(d)) FILTER (WHERE d.rn <= 5), '[]') AS sample
                FROM (SELECT ${cols}, count(*) AS n, row_number() OVER () AS rn FROM ${table} GROUP BY ${cols} HAVING count(*) > 1) d`,
        params: [],
      };
    }
    case 'not_null':
      return {
        sql: `SELECT count(*)::bigint AS failures, '[]'::jsonb AS sample FROM ${table} WHERE ${q(t.column)} IS NULL`,
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
        sql: `SELECT count(*)::bigint AS failures, coalesce((array_agg(DISTINCT c.${q(t.column)}::text))[1:5], '{}')::text[] AS sample
                FROM ${table} c WHERE c.${q(t.column)} IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM ${q(schema)}.${q(t.to)} p WHERE p.${q(t.field)} = c.${q(t.column)})`,
        params: [],
      };
  }
}
