import type { ApiContractOptions } from '@mlp/service-kit';

// The batch scoring routes' OpenAPI documentation.

const JOB = {
  id: '7',
  model: 'purchase_propensity',
  version: null,
  source: { mart: 'mart_user_profile', key: 'user_id' },
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
};
const ID = { id: 'The job id' };

export const CREATE_JOB_DOC: ApiContractOptions = {
  summary: 'Score every entity of a mart or query into the warehouse',
  description:
    "Creates a batch job: the entity keys come from a published mart (`{mart, key}`) or a read-only SELECT whose first column is the key (`{sql, key}`); their features are fetched online and scored by the champion (or `version`) through the one inference path, `chunkSize` entities at a time, into `serving.batch_predictions` per run. With a cron `schedule` the job runs again at each time (status `scheduled` between runs); without one it runs once. Progress is the job resource itself (`GET /v1/batch-jobs/{id}`). Scope `serving:admin`.",
  errors: {
    400: ['VALIDATION_FAILED', 'INVALID_SOURCE', 'INVALID_SQL', 'UNKNOWN_MART', 'INVALID_SCHEDULE', 'MISSING_FEATURE'],
    404: ['MODEL_NOT_FOUND'],
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
