import { Type, type Static } from '@sinclair/typebox';
import { defineContract } from '../lib/contract-exports';

/** KPIs applied by projects (`dwh.KpiDefinition`), read over HTTP: `GET /v1/kpis`, `GET /v1/kpis/{name}`. */
export const KpiErrorCode = {
  UNKNOWN_KPI: 'UNKNOWN_KPI',
  /** The KPI's SQL failed in PostgreSQL (or ran past the timeout): the message is PostgreSQL's. */
  KPI_FAILED: 'KPI_FAILED',
  /** More points than one answer holds: narrow the date range or pick a dimension. */
  KPI_TOO_MANY_POINTS: 'KPI_TOO_MANY_POINTS',
  INVALID_KPI_QUERY: 'INVALID_KPI_QUERY',
} as const;

export const KPI_MAX_POINTS = 10_000;

const NullableString = Type.Union([Type.String(), Type.Null()]);

export const KpiSummary = Type.Object(
  {
    name: Type.String(),
    project: Type.String(),
    description: NullableString,
    unit: NullableString,
    /** Whether points carry a dimension (`?dimension=` filters on it). */
    dimensional: Type.Boolean(),
  },
  { additionalProperties: false },
);
export type KpiSummary = Static<typeof KpiSummary>;

export const KpiList = defineContract('dwh.KpiList', Type.Object({ kpis: Type.Array(KpiSummary) }, { additionalProperties: false }));
export type KpiList = Static<typeof KpiList.schema>;

export const KpiPoint = Type.Object(
  {
    /** YYYY-MM-DD */
    date: Type.String({ format: 'date' }),
    value: Type.Union([Type.Number(), Type.Null()]),
    /** Present when the KPI has a dimension column. */
    dimension: Type.Optional(NullableString),
  },
  { additionalProperties: false },
);
export type KpiPoint = Static<typeof KpiPoint>;

/** `GET /v1/kpis/{name}?from=&to=&dimension=`: the points with from <= date <= to, by date (then dimension). */
export const KpiSeries = defineContract(
  'dwh.KpiSeries',
  Type.Object(
    {
      name: Type.String(),
      unit: NullableString,
      from: NullableString,
      to: NullableString,
      dimension: Type.Optional(Type.String()),
      points: Type.Array(KpiPoint),
    },
    { additionalProperties: false },
  ),
);
export type KpiSeries = Static<typeof KpiSeries.schema>;
