import { KPI_MAX_POINTS, type KpiDefinition } from '@mlp/contracts';
import { identifierProblems, quoteIdentifier as q } from '../warehouse/identifiers';
import { asSubquery } from '../warehouse/select-check';

/** What one read of a KPI asks: an inclusive date range (either end open) and one dimension value. */
export interface KpiRange {
  from?: string;
  to?: string;
  dimension?: string;
}

/** Identifiers of a KPI definition that reach SQL text. */
export function kpiIdentifierProblems(def: Pick<KpiDefinition, 'date_column' | 'value_column' | 'dimension_column'>): string[] {
  return identifierProblems((['date_column', 'value_column', 'dimension_column'] as const).filter((f) => def[f] !== undefined).map((f) => [f, def[f]] as const));
}

/**
 * The points of a KPI (framework-free; the caller runs it in a READ ONLY transaction with a
 * statement timeout after checking the KPI's SQL is one SELECT): its SQL as a subquery, the date
 * column as a date (rows without one are left out), the value as a number, the dimension as text,
 * filtered to the range and the dimension, ordered by date then dimension, at most KPI_MAX_POINTS + 1 rows (one more than an
 * answer holds, so the caller can tell). Range and dimension are parameters.
 */
export function kpiPointsQuery(def: KpiDefinition, range: KpiRange): { sql: string; params: unknown[] } {
  const problems = kpiIdentifierProblems(def);
  if (problems.length) throw new Error(`KPI ${def.name}: ${problems.join('; ')}`);
  const params: unknown[] = [];
  const param = (value: unknown, type: string) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  const dimension = def.dimension_column ? `k.${q(def.dimension_column)}::text` : 'NULL::text';
  const where = ['p.date IS NOT NULL'];
  if (range.from !== undefined) where.push(`p.date >= ${param(range.from, 'date')}`);
  if (range.to !== undefined) where.push(`p.date <= ${param(range.to, 'date')}`);
  if (range.dimension !== undefined) where.push(`p.dimension = ${param(range.dimension, 'text')}`);
  const sql = `SELECT to_char(p.date, 'YYYY-MM-DD') AS date, p.value, p.dimension
  FROM (SELECT k.${q(def.date_column ?? 'date')}::date AS date, k.${q(def.value_column ?? 'value')}::float8 AS value, ${dimension} AS dimension
          FROM ${asSubquery(def.sql)} k) p
WHERE ${where.join(' AND ')}
 ORDER BY p.date, p.dimension NULLS FIRST
 LIMIT ${KPI_MAX_POINTS + 1}`;
  return { sql, params };
}
