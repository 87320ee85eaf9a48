import { Type, type Static } from '@sinclair/typebox';
import { defineContract } from '../lib/contract-exports';

/**
 * Live predictions labelled by outcomes (`dwh.prediction_outcomes`): every logged prediction of a
 * model with an applied outcome (`dwh.OutcomeDefinition`), with its label once known. dwh-ingest
 * refreshes the labels every OUTCOMES_REFRESH_SECONDS and on `POST /v1/outcomes/refresh`.
 */
export const OutcomeErrorCode = {
  /** The model has no outcome applied: nothing labels its predictions. */
  NO_OUTCOME: 'NO_OUTCOME',
  REFRESH_IN_PROGRESS: 'REFRESH_IN_PROGRESS',
} as const;

const NullableString = Type.Union([Type.String(), Type.Null()]);
const NullableTime = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

/** One applied outcome and its last refresh (`GET /v1/outcomes`). */
export const OutcomeStatus = Type.Object(
  {
    model: Type.String(),
    project: Type.String(),
    keys: Type.Array(Type.String()),
    labelColumn: Type.String(),
    timestampColumn: NullableString,
    horizon: NullableString,
    aggregate: Type.Union([Type.Literal('max'), Type.Literal('sum'), Type.Literal('count'), Type.Literal('last')]),
    default: Type.Union([Type.Number(), Type.Null()]),
    /** The last refresh: null before the first one. */
    status: Type.Union([Type.Literal('refreshed'), Type.Literal('failed'), Type.Null()]),
    error: NullableString,
    /** Predictions of the model in the table, and those with a label, after the last successful refresh. */
    predictions: Type.Integer({ minimum: 0 }),
    labelled: Type.Integer({ minimum: 0 }),
    attemptedAt: NullableTime,
    /** The last successful refresh: labels are as fresh as this. */
    refreshedAt: NullableTime,
  },
  { additionalProperties: false },
);
export type OutcomeStatus = Static<typeof OutcomeStatus>;

export const OutcomeList = defineContract('dwh.OutcomeList', Type.Object({ outcomes: Type.Array(OutcomeStatus) }, { additionalProperties: false }));
export type OutcomeList = Static<typeof OutcomeList.schema>;

/** `POST /v1/outcomes/refresh`: an empty body refreshes every model with an outcome. */
export const RefreshOutcomesRequest = defineContract(
  'dwh.RefreshOutcomesRequest',
  Type.Object(
    {
      models: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,62}$' }), { minItems: 1, maxItems: 500, description: 'Only these models (each must have an outcome)' })),
      full: Type.Optional(Type.Boolean({ description: 'Relabel every prediction, also those whose label has settled (time-based outcomes refresh incrementally otherwise)' })),
    },
    { additionalProperties: false },
  ),
);
export type RefreshOutcomesRequest = Static<typeof RefreshOutcomesRequest.schema>;

export const OutcomeRefreshResult = defineContract(
  'dwh.OutcomeRefreshResult',
  Type.Object(
    {
      startedAt: Type.String({ format: 'date-time' }),
      finishedAt: Type.String({ format: 'date-time' }),
      models: Type.Array(
        Type.Object(
          {
            model: Type.String(),
            status: Type.Union([Type.Literal('refreshed'), Type.Literal('failed')]),
            /** full: every prediction relabelled; incremental: only those whose label may still change (time-based outcomes, same definition as the last refresh). */
            mode: Type.Union([Type.Literal('full'), Type.Literal('incremental')]),
            predictions: Type.Integer({ minimum: 0 }),
            labelled: Type.Integer({ minimum: 0 }),
            /** Rows inserted, relabelled or removed by this refresh. */
            changed: Type.Integer({ minimum: 0 }),
            durationMs: Type.Number({ minimum: 0 }),
            /** Why it failed (PostgreSQL's message for an outcome SQL that does not run). */
            error: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
);
export type OutcomeRefreshResult = Static<typeof OutcomeRefreshResult.schema>;
