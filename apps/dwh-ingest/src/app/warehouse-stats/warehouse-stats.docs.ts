import type { ApiContractOptions } from '@mlp/service-kit';

// OpenAPI documentation of the warehouse's aggregate routes (kept beside the controller).

export const EVENT_STATS_DOC: ApiContractOptions = {
  summary: 'Events per hour (or day): accepted, rejected, duplicates; top violation codes and events',
  description:
    "Counts over `[from, to)` in whole UTC buckets (`bucket=hour`, default, or `day`; `from` rounded down, `to` up; default the last 24 hours), every bucket listed with zeros: `accepted` rows loaded into `dwh.events` (by load time: a replayed event counts when it was replayed), `rejected` messages the tracking plan refused (by received time, `dwh.failed_events`), `duplicates` messages whose messageId was already stored (by received time). `topCodes`: violation codes by rejected messages carrying them (a message with two codes counts for each); `topEvents`: event names by rejected messages; `top` of each (1..100, default 10). At most 744 buckets per answer. Scope `ingest:read`.",
  errors: { 400: ['VALIDATION_FAILED', 'INVALID_STATS_QUERY'], 503: ['DEPENDENCY_UNAVAILABLE'] },
  example: {
    from: '2026-12-07T08:00:00.000Z',
    to: '2026-12-07T10:00:00.000Z',
    bucket: 'hour',
    buckets: [
      { start: '2026-12-07T08:00:00.000Z', accepted: 1840, rejected: 12, duplicates: 3 },
      { start: '2026-12-07T09:00:00.000Z', accepted: 2113, rejected: 40, duplicates: 0 },
    ],
    totals: { accepted: 3953, rejected: 52, duplicates: 3 },
    topCodes: [
      { code: 'UNPLANNED_EVENT', events: 38 },
      { code: 'DATATYPE_MISMATCH', events: 14 },
    ],
    topEvents: [
      { event: 'wishlist_added', rejected: 38 },
      { event: 'add_to_cart', rejected: 14 },
    ],
  },
};

export const IMPORT_RUNS_DOC: ApiContractOptions = {
  summary: 'Imports, newest first, with their row counts',
  description:
    "Every import (`POST /v1/imports/{source}`), newest first: source, status, content type, rows accepted and rejected, start and end. Filter by `source`; page with `limit` (1..200, default 50) and `cursor` (the previous page's `nextCursor`). An import's rejected rows: `GET /v1/imports/runs/{id}/rejected-rows`. Scope `ingest:read`.",
  errors: { 400: ['INVALID_CURSOR', 'INVALID_SOURCE_NAME'] },
  example: {
    items: [
      {
        importId: '6f1c1b7e-3f0a-4a59-9d55-0b8f0e6b52a1',
        source: 'supplier_prices',
        status: 'completed',
        contentType: 'csv',
        rowsAccepted: 998,
        rowsRejected: 2,
        startedAt: '2026-12-07T09:12:03.120Z',
        finishedAt: '2026-12-07T09:12:03.981Z',
      },
    ],
    nextCursor: null,
  },
};

export const LINEAGE_DOC: ApiContractOptions = {
  summary: 'The model DAG as lineage: sources, models, their last build, tests and freshness',
  description:
    "Every project's models and what they read, as a graph: `nodes` are sources (`src_<name>`, and the platform's `events` / `prediction_log` when a model reads them) and models (layer `staging` or `marts`), each model with its last build (`lastRun`: status, time, rows, run id), each declared data test with its latest result, and the freshness SLA's last evaluation where one is declared; `edges` go from what is read to the model reading it (a model's `relationships`/`sql` tests count). Feature views read marts: their `source_relations` in feature-store's `GET /v1/feature-views`. Scope `ingest:read`.",
  errors: { 503: ['DEPENDENCY_UNAVAILABLE'] },
  example: {
    nodes: [
      { id: 'source:src_colours', kind: 'source', name: 'src_colours', project: 'warm-colours', layer: 'source', materialized: null, description: 'Labelled colours', lastRun: null, tests: [], freshness: { status: 'ok', ageSeconds: 312, checkedAt: '2026-12-07T10:00:00.000Z' } },
      {
        id: 'model:mart_colours',
        kind: 'model',
        name: 'mart_colours',
        project: 'warm-colours',
        layer: 'marts',
        materialized: 'table',
        description: 'One row per labelled colour',
        lastRun: { runId: '88a70ba7-7e55-497f-972a-fe6ae4f3b321', status: 'success', builtAt: '2026-12-07T10:00:01.540Z', rows: 400 },
        tests: [{ test: 'unique(colour_id) [error]', status: 'pass', failures: 0, ranAt: '2026-12-07T10:00:01.610Z' }],
        freshness: null,
      },
    ],
    edges: [{ from: 'source:src_colours', to: 'model:mart_colours' }],
  },
};
