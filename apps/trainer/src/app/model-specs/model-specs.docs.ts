import type { ApiContractOptions } from '@mlp/service-kit';

// The model spec routes' OpenAPI documentation (examples from the warm-colours project, examples/warm-colours).

const SPEC = {
  name: 'warm_colour',
  description: 'Probability that a colour is warm',
  featureService: 'warm_colour',
  labelSource: { sql: 'SELECT colour_id, loaded_at AS event_timestamp, is_warm FROM dwh.mart_colours', joinKeys: ['colour_id'], labelColumn: 'is_warm' },
  task: 'binary_classification',
  algorithm: { kind: 'logistic_regression', epochs: 200, batchSize: 32, learningRate: 0.05 },
  primaryMetric: 'auc',
  split: { kind: 'random', testFraction: 0.25, validationFraction: 0.1, stratify: true },
  promotion: { minAbsoluteImprovement: 0.001, minEvalRows: 50 },
};

const RECORD = {
  spec: SPEC,
  project: 'warm-colours',
  specHash: '4b8e0d2f6a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d0f2a4c6e8b0d1f3a5c7e9b',
  createdAt: '2026-12-07T09:57:18.911Z',
  updatedAt: '2026-12-07T09:57:18.911Z',
};

const SPEC_CODES = [
  'INVALID_MODEL_SPEC',
  'VALIDATION_FAILED',
  'INVALID_PROJECT',
  'METRIC_TASK_MISMATCH',
  'INVALID_SPLIT',
  'EARLY_STOPPING_WITHOUT_VALIDATION',
  'INVALID_CRON',
  'INVALID_LABEL_SQL',
  'LABEL_SQL_OUTSIDE_WAREHOUSE',
  'LABEL_IS_JOIN_KEY',
  'REFERENCE_COLUMN_CLASH',
  'REFERENCE_SCORE_UNSUPPORTED',
  'ALGORITHM_TASK_MISMATCH',
  // A `rule` algorithm's expression: it does not parse, uses something outside the rule grammar, or a name that cannot be a feature.
  'RULE_SYNTAX_ERROR',
  'RULE_CONSTRUCT_NOT_ALLOWED',
  'RULE_UNKNOWN_FEATURE',
];

export const PUT_SPEC_DOC: ApiContractOptions = {
  summary: 'Declare or update one model spec',
  description:
    'What to train (feature service, label SQL, task, algorithm), how to split and judge it (primary metric, promotion policy) and when to retrain (schedule, drift). 201 when new, 200 when updated; every refusal is a 400 with one violation per problem. A spec a project owns changes only with `?project=<owner>` (409 NAME_OWNED_BY_ANOTHER_PROJECT otherwise); naming a project adopts an unowned spec. Projects normally send all their specs at once with `POST /v1/model-specs/apply`. Scope `admin`.',
  errors: { 400: SPEC_CODES, 403: ['FORBIDDEN'], 409: ['NAME_OWNED_BY_ANOTHER_PROJECT'] },
  example: RECORD,
};

export const APPLY_SPECS_DOC: ApiContractOptions = {
  summary: "Plan or apply a project's model specs",
  description:
    "A project's model specs at once, atomically: `dry_run: true` answers the plan only (created / changed with the fields that change / removed / unchanged); `prune: true` removes the project's specs absent from the request (queued runs of a removed spec end as MODEL_SPEC_REMOVED). Specs of other projects are never touched; a name another project owns is 409 NAME_OWNED_BY_ANOTHER_PROJECT. `mlp apply` sends this. Scope `admin` (a `project:<name>` token only for its projects).",
  errors: { 400: [...SPEC_CODES, 'DUPLICATE_DEFINITION'], 403: ['FORBIDDEN'], 409: ['NAME_OWNED_BY_ANOTHER_PROJECT'] },
  example: { project: 'warm-colours', dry_run: false, created: [{ name: 'warm_colour' }], changed: [], removed: [], unchanged: [] },
};

export const LIST_SPECS_DOC: ApiContractOptions = {
  summary: 'Declared model specs',
  description: 'Every model spec with its owning project and hash, or only those of `?project=`. Scope `trainer:read`.',
  errors: { 400: ['INVALID_PROJECT'] },
  example: { models: [RECORD] },
};

export const GET_SPEC_DOC: ApiContractOptions = {
  summary: 'One model spec',
  description: 'The spec as declared, with its owning project and hash (training runs record the hash they trained with). Scope `trainer:read`.',
  params: { name: 'The model, e.g. warm_colour' },
  errors: { 404: ['MODEL_NOT_FOUND'] },
  example: RECORD,
};
