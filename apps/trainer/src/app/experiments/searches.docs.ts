import type { ApiContractOptions } from '@mlp/service-kit';

// The experiment routes' OpenAPI documentation (a grid search of the warm-colours logistic regression).

const SEARCH_ID = '6f1d2c3b-4a5e-4f60-8a7b-9c0d1e2f3a4b';
const PLAN = {
  strategy: 'grid',
  parameters: { learningRate: { values: [0.01, 0.05] }, l2: { min: 0.0001, max: 0.01, scale: 'log', count: 2 } },
  budget: { maxTrials: 8, maxSeconds: 900 },
};
const trial = (index: number, runId: string, params: Record<string, number>, auc: number) => ({
  index,
  runId,
  status: 'succeeded',
  params,
  validationMetric: auc,
  metrics: { validation: { auc, log_loss: 0.31, f1: 0.9, ece: 0.05, rows: 30 }, train: { auc: 0.978, log_loss: 0.29, f1: 0.91, ece: 0.04, rows: 269 } },
  error: null,
});
const SEARCH = {
  id: SEARCH_ID,
  model: 'warm_colour',
  status: 'succeeded',
  plan: PLAN,
  seed: 0,
  metric: 'auc',
  direction: 'max',
  deadline: '2026-12-07T10:15:01.000Z',
  trials: [
    trial(0, '1b2c3d4e-0000-4000-8000-000000000001', { l2: 0.0001, learningRate: 0.01 }, 0.9612),
    trial(1, '1b2c3d4e-0000-4000-8000-000000000002', { l2: 0.0001, learningRate: 0.05 }, 0.9706),
    trial(2, '1b2c3d4e-0000-4000-8000-000000000003', { l2: 0.01, learningRate: 0.01 }, 0.9588),
    trial(3, '1b2c3d4e-0000-4000-8000-000000000004', { l2: 0.01, learningRate: 0.05 }, 0.9694),
  ],
  winner: { index: 1, runId: '1b2c3d4e-0000-4000-8000-000000000002', params: { l2: 0.0001, learningRate: 0.05 }, validationMetric: 0.9706 },
  finalRun: {
    runId: '1b2c3d4e-0000-4000-8000-000000000005',
    status: 'succeeded',
    modelVersion: 2,
    gate: { promoted: false, code: 'NOT_BETTER_THAN_CHAMPION', reason: 'auc 0.9957 does not beat champion v1 (0.9961) by the required 0.001', comparedWith: 'champion', candidate: 0.9957, reference: 0.9961, referenceVersion: 1 },
  },
  error: null,
  errorCode: null,
  createdAt: '2026-12-07T10:00:01.000Z',
  finishedAt: '2026-12-07T10:00:31.512Z',
};

const SEARCH_ERRORS = [
  'VALIDATION_FAILED',
  'NO_SEARCH_PLAN',
  'TRIAL_WITHOUT_VALIDATION',
  'NOTHING_TO_SEARCH',
  'EMPTY_SEARCH_SPACE',
  'UNKNOWN_SEARCH_PARAMETER',
  'EMPTY_SEARCH_RANGE',
  'INVALID_SEARCH_RANGE',
  'INVALID_SEARCH_PARAMETER',
  'SEARCH_BUDGET_REQUIRED',
  'GRID_EXCEEDS_BUDGET',
];

export const CREATE_SEARCH_DOC: ApiContractOptions = {
  summary: 'Start a hyperparameter search',
  description:
    "Expands a grid or seeded random search over the parameters of the model's algorithm (`plan`, or the spec's declared `search`) and queues every trial at once as an ordinary run flagged `trial`, so every trainer replica picks trials up in parallel. A trial trains on the training rows, stops early on the validation rows and is judged on them (the mean over folds under `split.folds`); it never scores the test rows and registers no version. When no trial is left queued or running (or `budget.maxSeconds` has passed: queued trials are then cancelled with SEARCH_BUDGET_EXHAUSTED), the best trial by validation metric is retrained as one normal run on the same data window: exactly one new version, judged by the promotion gate on the test rows nothing was tuned on. Bad plans are 400 with a code: unknown parameters, empty or impossible ranges, a grid with more points than `budget.maxTrials` (or 200), a random search without `maxTrials`, a spec without validation rows (TRIAL_WITHOUT_VALIDATION). `mlp search <model>` sends this. Scope `trainer:write`.",
  errors: { 400: SEARCH_ERRORS, 404: ['MODEL_NOT_FOUND'], 503: ['DEPENDENCY_UNAVAILABLE'] },
  example: { ...SEARCH, status: 'running', trials: SEARCH.trials.map((t) => ({ ...t, status: 'queued', validationMetric: null, metrics: null })), winner: null, finalRun: null, finishedAt: null },
};

export const GET_SEARCH_DOC: ApiContractOptions = {
  summary: 'One search: trials with parameters and metrics, the winner and its registered run',
  description:
    "Status (`running`, `registering` while the winner retrains, `succeeded`, `failed` with NO_SUCCESSFUL_TRIAL or FINAL_RUN_FAILED), every trial with its parameters, status and validation metrics (what selected the winner), the winner, and the final run with the version it registered and the gate's decision. Put trials side by side with `GET /v1/runs/compare`. Scope `trainer:read`.",
  params: { id: 'The search id (a UUID)' },
  errors: { 400: ['INVALID_SEARCH_ID'], 404: ['SEARCH_NOT_FOUND'] },
  example: SEARCH,
};

export const CANCEL_SEARCH_DOC: ApiContractOptions = {
  summary: 'Cancel a search',
  description:
    "Queued trials (and a queued final run) are cancelled at once, running ones stop at their next heartbeat; the search ends `cancelled` and registers nothing. A search that already ended, or whose final run already registered the winner, is 409 SEARCH_FINISHED. Answers the search as it is now. Scope `trainer:write`.",
  params: { id: 'The search id (a UUID)' },
  errors: { 400: ['INVALID_SEARCH_ID'], 404: ['SEARCH_NOT_FOUND'], 409: ['SEARCH_FINISHED'] },
  example: {
    ...SEARCH,
    status: 'cancelled',
    trials: SEARCH.trials.map((t, i) => (i < 2 ? t : { ...t, status: 'cancelled', validationMetric: null, metrics: null, error: 'the search was cancelled' })),
    winner: null,
    finalRun: null,
    error: 'cancelled on request',
    errorCode: 'CANCELLED',
  },
};

export const LIST_SEARCHES_DOC: ApiContractOptions = {
  summary: 'Searches, newest first',
  description: 'Searches with their trials and winners; filter by `model`, at most `limit` (1..200, default 20). Scope `trainer:read`.',
  errors: { 400: ['VALIDATION_FAILED'] },
  example: { searches: [SEARCH] },
};

const compared = (id: string, learningRate: number, auc: number) => ({
  id,
  model: 'warm_colour',
  status: 'succeeded',
  trial: true,
  searchId: SEARCH_ID,
  algorithm: { kind: 'logistic_regression', epochs: 200, batchSize: 32, learningRate, l2: 0.0001 },
  split: { kind: 'random', testFraction: 0.25, validationFraction: 0.1, stratify: true },
  seed: 0,
  backend: 'tfjs-node',
  codeVersion: '0.1.0',
  specHash: '4b8e0d2f6a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d0f2a4c6e8b0d1f3a5c7e9b',
  dataFingerprint: 'sha256:9f3c2a1b7d4e5f60a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718',
  metrics: { validation: { auc, log_loss: 0.31, rows: 30 }, train: { auc: 0.978, log_loss: 0.29, rows: 269 } },
  crossValidation: null,
  curves: [
    { epoch: 1, loss: 0.6688, valLoss: 0.6531, valMetric: 0.9412 },
    { epoch: 200, loss: 0.2485, valLoss: 0.2391, valMetric: auc },
  ],
  modelVersion: null,
  gate: null,
});

export const COMPARE_RUNS_DOC: ApiContractOptions = {
  summary: 'Put training runs side by side',
  description:
    "2 to 20 runs (`ids`, comma-separated or repeated; trials or registered runs, of any models) in the order given: parameters, split, seed, backend, code version, data fingerprint, metrics by subject, cross-validation and curves. `differences` names the settings that are not the same in every run, `commonMetrics` the `subject.metric` pairs every run has. `mlp compare <id> <id> ...` prints it as a table. Scope `trainer:read`.",
  errors: { 400: ['INVALID_RUN_IDS'], 404: ['RUN_NOT_FOUND'] },
  example: {
    runs: [compared('1b2c3d4e-0000-4000-8000-000000000001', 0.01, 0.9612), compared('1b2c3d4e-0000-4000-8000-000000000002', 0.05, 0.9706)],
    differences: ['algorithm.learningRate'],
    commonMetrics: ['train.auc', 'train.log_loss', 'train.rows', 'validation.auc', 'validation.log_loss', 'validation.rows'],
  },
};
