import type { FeatureField, FeatureStats } from '@mlp/contracts';
import { quoteIdent } from '../registry/feature-ref';

export const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
export const HISTOGRAM_BINS = 10;
const TOP_VALUES = 20;

const numericExpr = (f: FeatureField, alias = 'l') =>
  f.type === 'bool' ? `(${alias}.${quoteIdent(f.name)})::int::float8` : `(${alias}.${quoteIdent(f.name)})::float8`;

/**
 * One statement computing every feature's statistics over `latest` (a materialized CTE the caller
 * supplies: the latest value per entity, i.e. what was served): count, nulls, moments, quantiles
 * and a fixed-width histogram for numbers (booleans as 0/1), top values for strings.
 */
export function featureStatsQuery(latestSql: string, features: FeatureField[]): string {
  const aggs: string[] = ['count(*)::bigint AS n'];
  const extras: string[] = [];
  const buckets: string[] = [];
  features.forEach((f, i) => {
    aggs.push(`count(l.${quoteIdent(f.name)})::bigint AS c${i}`);
    if (f.type === 'string') {
      extras.push(`(SELECT json_agg(json_build_object('v', v, 'n', n) ORDER BY n DESC, v) FROM (
          SELECT l.${quoteIdent(f.name)} AS v, count(*) AS n FROM latest l WHERE l.${quoteIdent(f.name)} IS NOT NULL
           GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ${TOP_VALUES}) t) AS h${i}`);
      return;
    }
    const x = numericExpr(f);
    aggs.push(`avg(${x}) AS mean${i}`, `stddev_pop(${x}) AS std${i}`, `min(${x}) AS min${i}`, `max(${x}) AS max${i}`);
    aggs.push(`percentile_cont(ARRAY[${QUANTILES.join(',')}]::float8[]) WITHIN GROUP (ORDER BY ${x}) AS q${i}`);
    buckets.push(`(${i}, CASE WHEN l.${quoteIdent(f.name)} IS NULL THEN NULL WHEN a.max${i} > a.min${i} THEN least(width_bucket(${x}, a.min${i}, a.max${i}, ${HISTOGRAM_BINS}), ${HISTOGRAM_BINS}) ELSE 1 END)`);
  });
  // Every numeric histogram in one scan of `latest` (a bucket per feature and row, grouped once).
  if (buckets.length) {
    extras.push(`(SELECT json_agg(json_build_object('i', t.i, 'b', t.b, 'n', t.n)) FROM (
        SELECT x.i, x.b, count(*) AS n FROM latest l CROSS JOIN LATERAL (VALUES ${buckets.join(', ')}) x(i, b)
         WHERE x.b IS NOT NULL GROUP BY 1, 2) t) AS hnum`);
  }
  return `WITH latest AS MATERIALIZED (${latestSql}), agg AS (SELECT ${aggs.join(', ')} FROM latest l)
          SELECT a.*, ${extras.length ? extras.join(', ') : 'NULL AS none'} FROM agg a`;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Turns the statement's single row into per-feature statistics. */
export function assembleFeatureStats(row: Record<string, unknown>, features: FeatureField[]): FeatureStats[] {
  const n = Number(row['n']);
  return features.map((f, i) => {
    const count = Number(row[`c${i}`]);
    const base = { feature: f.name, type: f.type, count: n, null_count: n - count, null_rate: n === 0 ? 0 : (n - count) / n };
    if (f.type === 'string') {
      const top = (row[`h${i}`] as Array<{ v: string; n: number }> | null) ?? [];
      return { ...base, mean: null, std: null, min: null, max: null, quantiles: null, histogram: { values: top.map((t) => t.v), counts: top.map((t) => Number(t.n)) } };
    }
    const min = num(row[`min${i}`]);
    const max = num(row[`max${i}`]);
    const q = row[`q${i}`] as number[] | null;
    let histogram: FeatureStats['histogram'] = null;
    if (min !== null && max !== null) {
      const bins = max > min ? HISTOGRAM_BINS : 1;
      const counts = Array<number>(bins).fill(0);
      const own = row[`h${i}`] as Array<{ b: number; n: number }> | null | undefined;
      const binCounts = own ?? ((row['hnum'] as Array<{ i: number; b: number; n: number }> | null) ?? []).filter((h) => h.i === i);
      for (const h of binCounts) counts[h.b - 1] += Number(h.n);
      const edges = Array.from({ length: bins + 1 }, (_, k) => (bins === 1 ? [min, max][k] : min + ((max - min) * k) / bins));
      histogram = { edges, counts };
    }
    return {
      ...base,
      mean: num(row[`mean${i}`]),
      std: num(row[`std${i}`]),
      min,
      max,
      quantiles: q ? Object.fromEntries(QUANTILES.map((p, k) => [`p${String(Math.round(p * 100)).padStart(2, '0')}`, Number(q[k])])) : null,
      histogram,
    };
  });
}
