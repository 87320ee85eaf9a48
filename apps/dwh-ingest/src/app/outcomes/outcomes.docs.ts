import type { ApiContractOptions } from '@mlp/service-kit';

// The outcome routes' OpenAPI documentation (kept beside the controller so its diff stays small).

export const LIST_OUTCOMES_DOC: ApiContractOptions = {
  summary: 'Outcomes that label live predictions, with their last refresh',
  description:
    "Each outcome a project applied (`outcome:` of a model's training file): how a model's live predictions are joined to what happened (entity keys, label column, time column and horizon, aggregate, default), the last refresh's status and error, and how many of the model's predictions are labelled. Live quality and retraining read these labels. Scope `ingest:read`.",
  errors: {},
  example: {
    outcomes: [
      {
        model: 'warm_colour',
        project: 'warm-colours',
        keys: ['colour_id'],
        labelColumn: 'is_warm',
        timestampColumn: null,
        horizon: null,
        aggregate: 'max',
        default: null,
        status: 'refreshed',
        error: null,
        predictions: 2,
        labelled: 2,
        attemptedAt: '2026-12-07T10:00:00.412Z',
        refreshedAt: '2026-12-07T10:00:00.412Z',
      },
    ],
  },
};

export const REFRESH_OUTCOMES_DOC: ApiContractOptions = {
  summary: 'Relabel live predictions now',
  description:
    "Joins the predictions of the given `models` (every model with an outcome when the body is empty) to their outcomes again (the schedule does it every OUTCOMES_REFRESH_SECONDS). Time-based outcomes refresh incrementally (only labels that may still change) unless `full: true`. A model whose outcome SQL fails is reported `failed` with PostgreSQL's message; the others are refreshed. 409 while another refresh runs. Scope `ingest:admin`.",
  errors: { 400: ['VALIDATION_FAILED'], 404: ['NO_OUTCOME'], 409: ['REFRESH_IN_PROGRESS'], 503: ['DEPENDENCY_UNAVAILABLE'] },
  example: {
    startedAt: '2026-12-07T10:05:00.002Z',
    finishedAt: '2026-12-07T10:05:00.187Z',
    models: [{ model: 'warm_colour', status: 'refreshed', mode: 'full', predictions: 2, labelled: 2, changed: 2, durationMs: 14.2 }],
  },
};
