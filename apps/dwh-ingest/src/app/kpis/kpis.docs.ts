import type { ApiContractOptions } from '@mlp/service-kit';

// The KPI routes' OpenAPI documentation (kept beside the controller so its diff stays small).

export const LIST_KPIS_DOC: ApiContractOptions = {
  summary: 'KPIs the projects declared',
  description: "Every KPI applied by a project (`kpis` of the warehouse apply): name, owning project, description, unit, and whether its points carry a dimension. Read one KPI's points with `GET /v1/kpis/{name}`. Scope `ingest:read`.",
  errors: {},
  example: { kpis: [{ name: 'daily_revenue', project: 'web-shop', description: 'Revenue of completed orders per day', unit: 'EUR', dimensional: true }] },
};

export const KPI_POINTS_DOC: ApiContractOptions = {
  summary: "One KPI's daily points",
  description:
    "Runs the KPI's SQL and answers its points with `from <= date <= to` (YYYY-MM-DD, both optional), by date then dimension; `dimension=` keeps one dimension value (dimensional KPIs only). At most 10,000 points per answer (422 KPI_TOO_MANY_POINTS: narrow the range or pick a dimension); SQL that fails or runs past the timeout is 422 KPI_FAILED with PostgreSQL's message. Scope `ingest:read`.",
  params: { name: 'A KPI a project declared' },
  errors: { 400: ['INVALID_KPI_QUERY'], 404: ['UNKNOWN_KPI'], 422: ['KPI_FAILED', 'KPI_TOO_MANY_POINTS'], 503: ['DEPENDENCY_UNAVAILABLE'] },
  example: {
    name: 'daily_revenue',
    unit: 'EUR',
    from: '2026-12-01',
    to: '2026-12-03',
    dimension: 'DE',
    points: [
      { date: '2026-12-01', value: 1820.5, dimension: 'DE' },
      { date: '2026-12-02', value: 1694, dimension: 'DE' },
      { date: '2026-12-03', value: null, dimension: 'DE' },
    ],
  },
};
