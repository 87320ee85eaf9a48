import { KpiErrorCode } from '@mlp/contracts';
import type { KpiRange } from './kpi-sql';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date as YYYY-MM-DD that exists (2026-02-30 does not). */
function isDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

/**
 * `?from=YYYY-MM-DD&to=YYYY-MM-DD&dimension=` of `GET /v1/kpis/{name}`: both dates optional and
 * inclusive, from <= to; a dimension only for a KPI that has one. The problem, or the range.
 */
export function parseKpiQuery(query: { from?: string; to?: string; dimension?: string }, dimensional: boolean): KpiRange | { code: string; message: string } {
  const bad = (message: string) => ({ code: KpiErrorCode.INVALID_KPI_QUERY, message });
  for (const key of ['from', 'to'] as const) {
    const v = query[key];
    if (v !== undefined && (typeof v !== 'string' || !isDate(v))) return bad(`${key} must be a date YYYY-MM-DD`);
  }
  if (query.from !== undefined && query.to !== undefined && query.from > query.to) return bad('from must not be after to');
  if (query.dimension !== undefined) {
    if (typeof query.dimension !== 'string' || query.dimension.length > 200 || query.dimension.includes('\u0000')) {
      return bad('dimension must be text of at most 200 characters, without U+0000');
    }
    if (!dimensional) return bad('this KPI has no dimension');
  }
  return { ...(query.from !== undefined ? { from: query.from } : {}), ...(query.to !== undefined ? { to: query.to } : {}), ...(query.dimension !== undefined ? { dimension: query.dimension } : {}) };
}
