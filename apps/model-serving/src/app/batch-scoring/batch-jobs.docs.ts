import type { ApiContractOptions } from '@mlp/service-kit';

// The batch scoring routes' OpenAPI documentation.

const JOB = {
  id: '7',
  model: 'churn',
  version: null,
  source: { mart: 'mart_customers', key: 'customer_id' },
  chunkSize: 1000,
  schedule: '0 2 * * *',
  status: 'scheduled',
  run: 3,
  scored: 3000,
  chunks: 3,
  cursor: null,
  error: null,
  nextRunAt: '2026-12-08T02:00:00.000Z',
  createdAt: '2026-12-05T16:20:11.301Z',
  startedAt: '2026-12-07T02:00:00.114Z',
  finishedAt: '2026-12-07T02:00:04.872Z',
  results: { table: 'scores_churn', mode: 'replace' },
  features: { mode: 'point_in_time', asOf: '2026-12-07T00:00:00.000Z' },
};
const ID = { id: 'The job id' };

export const CREATE_JOB_DOC: ApiContractOptions = {
  summary: 'Score every entity of a mart or query into the warehouse',
  description:
    "Creates a batch job: the entity keys come from a published mart (`{mart, key}`) or a read-only SELECT whose first column is the key (`{sql, key}`). Their features are taken online (`features: {mode: 'online'}`, the default) or as of a stated time through the feature store's point-in-time retrieval (`{mode: 'point_in_time', asOf}`), and scored by the champion (or `version`) through the one inference path (logged in the prediction log with request id `batch-<job>-<run>` and each row's entity), `chunkSize` entities at a time. Each finished run is published in one transaction to the warehouse table `results.table` (`dwh.scores_*`, default `scores_<model>`; columns `job_id, run, model, version, <key>, as_of, score, outputs, scored_at`): `create` makes a new table (409 `RESULTS_TABLE_EXISTS` if it exists), `append` adds each run, `replace` (default) replaces the table's rows with each run. Warehouse models read the table like `prediction_log`. With a cron `schedule` the job runs again at each time (status `scheduled` between runs); without one it runs once. Progress is the job resource itself (`GET /v1/batch-jobs/{id}`), the scores `GET /v1/batch-jobs/{id}/results`. Scope `serving:admin`.",
  errors: {
    400: ['VALIDATION_FAILED', 'INVALID_SOURCE', 'INVALID_SQL', 'UNKNOWN_MART', 'INVALID_SCHEDULE', 'INVALID_RESULTS_TABLE', 'RESULTS_KEY_CLASH', 'INVALID_AS_OF'],
    404: ['MODEL_NOT_FOUND'],
    409: ['RESULTS_TABLE_EXISTS', 'RESULTS_TABLE_MISMATCH'],
    503: ['DEPENDENCY_UNAVAILABLE'],
  },
  example: { ...JOB, status: 'queued', run: 1, scored: 0, chunks: 0, nextRunAt: null, startedAt: null, finishedAt: null, createdAt: '2026-12-05T16:20:11.301Z' },
};

export const LIST_JOBS_DOC: ApiContractOptions = {
  summary: 'Batch jobs, newest first',
  description: 'Every batch job with its status (queued, running, succeeded, failed, scheduled, cancelled), run number, rows scored and next run. Any valid token.',
  errors: {},
  example: { jobs: [JOB] },
};

export const GET_JOB_DOC: ApiContractOptions = {
  summary: 'One batch job and its progress',
  description: 'The job: status, the current run, entities scored and chunks written so far (a run resumes from `cursor` after a restart), the error of a failed run, and when a scheduled job runs next. Any valid token.',
  params: ID,
  errors: { 404: ['NOT_FOUND'] },
  example: JOB,
};

export const CANCEL_JOB_DOC: ApiContractOptions = {
  summary: 'Cancel a batch job',
  status: 201,
  description: 'Stops a queued, running or scheduled job (a running chunk finishes; what was scored stays) and answers it as `cancelled`. Scope `serving:admin`.',
  params: ID,
  errors: { 404: ['NOT_FOUND'] },
  example: { ...JOB, status: 'cancelled', nextRunAt: null },
};

export const JOB_RESULTS_DOC: ApiContractOptions = {
  summary: "A batch job's scores, a page at a time",
  description:
    "The scores of one run (`run`, default the job's current run; a run in progress shows the chunks committed so far) in entity key order: each entity's key, model version, score (the first output), every output, the time its features were taken (`asOf`) and when it was scored. Page with `limit` (1..1000, default 100) and `cursor` (the previous page's `nextCursor`, null on the last page): every row comes exactly once. `entity` gives one entity's row. The same rows are published to the job's warehouse table when the run finishes. Any valid token.",
  params: ID,
  errors: { 400: ['VALIDATION_FAILED', 'INVALID_LIMIT', 'INVALID_CURSOR'], 404: ['NOT_FOUND', 'RUN_NOT_FOUND'] },
  example: {
    job: '7',
    run: 3,
    items: [
      { entity: { customer_id: 'c-1001' }, model: 'churn', version: 2, score: 0.1375, outputs: [0.1375], asOf: '2026-12-07T00:00:00.000Z', scoredAt: '2026-12-07T02:00:01.240Z' },
      { entity: { customer_id: 'c-1002' }, model: 'churn', version: 2, score: 0.0412, outputs: [0.0412], asOf: '2026-12-07T00:00:00.000Z', scoredAt: '2026-12-07T02:00:01.240Z' },
    ],
    nextCursor: 'azp1LTEwMDI',
  },
};
