import type { ApiContractOptions } from '@mlp/service-kit';

// The training run routes' OpenAPI documentation (examples from the warm-colours walkthrough, docs/walkthrough.md).

const RUN = {
  id: '35a81d11-b51a-4711-9775-dce85551d355',
  model: 'warm_colour',
  status: 'succeeded',
  trigger: 'api',
  trial: false,
  searchId: null,
  algorithm: { kind: 'logistic_regression', epochs: 200, batchSize: 32, learningRate: 0.05 },
  progress: 1,
  attempts: 1,
  curves: [
    { epoch: 1, loss: 0.6688, valLoss: 0.6531, valMetric: 0.9412 },
    { epoch: 200, loss: 0.2485, valLoss: 0.2391, valMetric: 0.9706 },
  ],
  metrics: {
    train: { auc: 0.9654, ece: 0.05229, f1: 0.8841, log_loss: 0.2485, rows: 269 },
    validation: { auc: 0.9706, ece: 0.07112, f1: 0.9333, log_loss: 0.2391, rows: 30 },
    baseline: { auc: 0.5, ece: 0.0006257, f1: 0.6711, log_loss: 0.6931, rows: 101 },
    candidate: { auc: 0.9961, ece: 0.06365, f1: 0.9615, log_loss: 0.1215, rows: 101 },
  },
  calibration: [
    { lower: 0, upper: 0.1, count: 48, meanPredicted: 0.031, observedRate: 0 },
    { lower: 0.9, upper: 1, count: 39, meanPredicted: 0.962, observedRate: 1 },
  ],
  dataset: {
    fingerprint: '9f3c2a1b7d4e5f60a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718',
    rows: 400,
    trainRows: 269,
    validationRows: 30,
    holdoutRows: 101,
    start: '2026-12-07T09:57:20.000Z',
    end: '2026-12-07T09:58:00.000Z',
    holdoutStart: '2026-12-07T09:57:20.000Z',
    split: 'random',
    splitSeed: 1183410345,
    evaluatedOn: 'test',
  },
  crossValidation: null,
  featureServiceVersion: '1',
  specHash: '4b8e0d2f6a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d0f2a4c6e8b0d1f3a5c7e9b',
  codeVersion: '0.1.0',
  backend: 'tfjs-node',
  seed: 1183410345,
  modelVersion: 1,
  gate: {
    promoted: true,
    reason: 'auc 0.996078 beats the baseline 0.5 by 0.496078',
    code: 'BEATS_BASELINE',
    comparedWith: 'baseline',
    candidate: 0.996078,
    reference: 0.5,
  },
  error: null,
  createdAt: '2026-12-07T09:58:01.204Z',
  startedAt: '2026-12-07T09:58:01.260Z',
  finishedAt: '2026-12-07T09:58:05.951Z',
  durationMs: 4691,
};

export const CREATE_RUN_DOC: ApiContractOptions = {
  summary: 'Start a training run',
  description:
    "Queues a run of a declared model spec (202 with its id; follow it with `GET /v1/training-runs/{id}`). The run builds the point-in-time training set from the feature store, trains, scores the candidate, the baseline and the current champion on the held-out rows, registers a version and lets the promotion gate decide whether it becomes champion. One run per model at a time (409 RUN_IN_PROGRESS). With `trial: true` the run is a trial: judged on the validation rows (or folds) only, never on the test rows, and it registers no version (trials do not count against one run per model; a spec without validation rows is 400 TRIAL_WITHOUT_VALIDATION). `mlp train <model> --wait` sends this and polls. Scope `trainer:write`.",
  errors: { 400: ['VALIDATION_FAILED', 'TRIAL_WITHOUT_VALIDATION'], 404: ['MODEL_NOT_FOUND'], 409: ['RUN_IN_PROGRESS'], 503: ['DEPENDENCY_UNAVAILABLE'] },
  example: { id: '35a81d11-b51a-4711-9775-dce85551d355', status: 'queued' },
};

export const LIST_RUNS_DOC: ApiContractOptions = {
  summary: 'Training runs, newest first',
  description:
    "Runs with their status, progress, metrics and gate decision, newest first; filter by `model` and `status` (`queued`, `running`, `succeeded`, `failed`, `cancelled`), a page of at most `limit` (1..500, default 50). `nextCursor` (null on the last page) passed as `cursor` gives the next page: keyset pagination on (creation time, id), so a deep page is as fast as the first and runs created meanwhile neither shift nor repeat a page. Scope `trainer:read`.",
  errors: { 400: ['VALIDATION_FAILED', 'INVALID_CURSOR'] },
  example: { runs: [RUN], nextCursor: 'WyIxNzk2NjQxMjAwMTIzNDU2IiwiMGI4ZTVjNDMtOGE3ZS00YTQzLTlhNTItMGY1ZDhiYmQ2YzExIl0' },
};

export const GET_RUN_DOC: ApiContractOptions = {
  summary: 'One training run: progress, curves, metrics, gate',
  description:
    "A run by id: status and progress (0..1 of the planned epochs), loss curves, held-out metrics of the candidate, the baseline and the champion, calibration, the dataset it trained on (rows, split, fingerprint), the version it registered and the promotion gate's decision with its reason and code. A failed run carries its error. Scope `trainer:read`.",
  params: { id: 'The run id (a UUID)' },
  errors: { 400: ['INVALID_RUN_ID'], 404: ['RUN_NOT_FOUND'] },
  example: RUN,
};

export const HOLDOUT_DOC: ApiContractOptions = {
  summary: "A page of the run's held-out rows with the trainer's score of each",
  description:
    "The raw feature values of each held-out row as the feature store gave them, its label, and the candidate's own score. Serving the version must answer the same score for the same raw values: `tools/docs/infer-example.mjs` and the serving parity test use this. Page with `offset` and `limit` (1..5000, default 1000). Only succeeded runs keep them (404 HOLDOUT_NOT_FOUND). Scope `trainer:read`.",
  params: { id: 'The run id (a UUID)' },
  errors: { 400: ['VALIDATION_FAILED', 'INVALID_RUN_ID'], 404: ['RUN_NOT_FOUND', 'HOLDOUT_NOT_FOUND'] },
  example: {
    runId: '35a81d11-b51a-4711-9775-dce85551d355',
    model: 'warm_colour',
    version: 1,
    part: 'test',
    total: 101,
    stored: 101,
    offset: 0,
    rows: [{ keys: { colour_id: 'c-0007' }, event_timestamp: '2026-12-07T09:57:20.114Z', label: 1, score: 0.9997068, features: { 'colour_rgb:r': 230, 'colour_rgb:g': 120, 'colour_rgb:b': 30 } }],
  },
};

export const CANCEL_RUN_DOC: ApiContractOptions = {
  summary: 'Cancel a training run',
  description: 'A queued run is cancelled at once; a running one stops at its next heartbeat (between epochs) and registers nothing. A run that already succeeded or failed is 409 RUN_FINISHED. Answers the run as it is now. Scope `trainer:write`.',
  params: { id: 'The run id (a UUID)' },
  errors: { 400: ['INVALID_RUN_ID'], 404: ['RUN_NOT_FOUND'], 409: ['RUN_FINISHED'] },
  example: { ...RUN, id: '0c7d5e21-93f4-4b8a-a6e2-51d0f3b9c8a7', status: 'cancelled', progress: 0.35, curves: [], metrics: null, calibration: null, dataset: null, modelVersion: null, gate: null, finishedAt: '2026-12-07T10:01:12.004Z', durationMs: 1840 },
};
