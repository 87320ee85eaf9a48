import type { ApiContractOptions } from '@mlp/service-kit';

// The materialization routes' OpenAPI documentation (examples from the warm-colours project, examples/warm-colours).

const JOB = {
  id: 12,
  view: 'colour_rgb',
  version: 1,
  start: '1970-01-01T00:00:00.000Z',
  end: '2026-12-07T09:57:21.000Z',
  status: 'SUCCEEDED',
  chunks_total: 1,
  chunks_done: 1,
  rows_written: 400,
  trigger: 'event:dwh.mart_colours',
  error: null,
  created_at: '2026-12-07T09:57:21.208Z',
  finished_at: '2026-12-07T09:57:21.377Z',
};
const QUEUED = { ...JOB, id: 13, trigger: 'api', status: 'PENDING', chunks_done: 0, rows_written: 0, finished_at: null };
const CODES = {
  400: ['VALIDATION_FAILED', 'INVALID_TIMESTAMP', 'TIMESTAMP_TOO_PRECISE', 'INVALID_TIME_RANGE'],
  404: ['UNKNOWN_FEATURE_VIEW'],
  409: ['VIEW_NOT_ONLINE'],
  503: ['DEPENDENCY_UNAVAILABLE'],
};

export const MATERIALIZE_DOC: ApiContractOptions = {
  summary: 'Copy the latest value per entity in [start, end) to the online store',
  description:
    "Queues one materialization per online view (all, or `views`) and version served online: the latest source row of each entity with `start <= event_timestamp < end` is written to the online store (a stored value is replaced only by a newer one), in chunks, and statistics (the drift baseline) are computed. Answers 202 with the jobs; follow them at `GET /v1/materializations/{id}`. A refreshed mart (`dwh.mart.refreshed` event) materializes the views reading it on its own. Scope `features:write`.",
  errors: CODES,
  example: { materializations: [QUEUED] },
};

export const INCREMENTAL_DOC: ApiContractOptions = {
  summary: 'Materialize from where the last run ended up to end',
  description: "As `POST /v1/materialize`, with each view's start being the end of its last successful materialization (the beginning of time for a view never materialized). What a scheduler calls. Scope `features:write`.",
  errors: CODES,
  example: { materializations: [{ ...QUEUED, start: '2026-12-07T09:57:21.000Z', end: '2026-12-07T10:05:00.000Z' }] },
};

export const LIST_DOC: ApiContractOptions = {
  summary: 'Materialization jobs, newest first',
  description: 'Jobs with their window, status (PENDING, RUNNING, SUCCEEDED, FAILED), chunk progress, rows written, trigger (`api`, `schedule`, `event:<mart>`) and error; `view` filters, `limit` 1..1000 (default 100). Scope `features:read`.',
  errors: { 400: ['INVALID_NAME', 'INVALID_LIMIT'] },
  example: { materializations: [JOB] },
};

export const ONE_DOC: ApiContractOptions = {
  summary: 'One materialization job',
  description: 'A job by id, with its progress and error. Scope `features:read`.',
  params: { id: 'The job id (an integer)' },
  errors: { 400: ['INVALID_ID'], 404: ['NOT_FOUND'] },
  example: JOB,
};

export const STATS_DOC: ApiContractOptions = {
  summary: 'Statistics of the latest materialization (the drift baseline for serving)',
  description:
    "Per feature of the view's version (`version`, default the current one): count, nulls, mean, standard deviation, min, max, quantiles and a histogram (bins for numbers, top values for strings), computed over what the latest successful materialization wrote. model-serving compares live inputs with these. 404 NO_STATISTICS before the first materialization. Scope `features:read`.",
  params: { name: 'A feature view, e.g. colour_rgb' },
  errors: { 400: ['INVALID_NAME', 'INVALID_VERSION'], 404: ['UNKNOWN_FEATURE_VIEW', 'UNKNOWN_FEATURE_VERSION', 'NO_STATISTICS'] },
  example: {
    view: 'colour_rgb',
    version: 1,
    materialization_id: 12,
    computed_at: '2026-12-07T09:57:21.377Z',
    features: [
      {
        feature: 'r',
        type: 'int64',
        count: 400,
        null_count: 0,
        null_rate: 0,
        mean: 128.9,
        std: 73.6,
        min: 0,
        max: 255,
        quantiles: { p05: 12, p25: 66, p50: 130, p75: 192, p95: 243 },
        histogram: { edges: [0, 51, 102, 153, 204, 255], counts: [78, 83, 80, 79, 80] },
      },
    ],
  },
};
