import type { ApiContractOptions } from '@mlp/service-kit';

// The entity-keyed prediction route's OpenAPI documentation.

export const PREDICT_ENTITIES_DOC: ApiContractOptions = {
  summary: 'Predict for entities by key (features fetched online)',
  description:
    "For product code that knows only ids: `{\"entities\": {\"user_id\": [\"u1\", \"u2\"]}, \"version\"?: 3}`. The model's features are fetched from the feature store online, exactly the feature view versions the model was trained on, then take the one inference path (same preprocessing, checks and prediction log as V2). A value NOT_FOUND or OUTSIDE_MAX_AGE is missing and filled as in training: each prediction carries its `features` and `featureStatuses`, and `degraded` counts rows with a filled feature. A multiclass model's prediction adds `label` (the most probable class) and `probabilities` (class -> probability); its `score` is the label's probability. Each entity is routed to an arm by its own key (`stickyKey: entity`) or by the `x-sticky-key` header. A retired feature view version fails with the feature store's 409 FEATURE_VERSION_RETIRED. Scope `serving:predict`.",
  params: { model: 'A served model, e.g. churn' },
  headers: { 'x-sticky-key': { required: false, description: 'With the policy stickyKey "header": routes the request to the same arm as earlier requests with this key' } },
  errors: {
    400: ['VALIDATION_FAILED', 'INVALID_ENTITIES', 'INPUT_OUT_OF_RANGE'],
    404: ['MODEL_NOT_FOUND', 'MODEL_VERSION_NOT_FOUND'],
    409: ['FEATURE_VERSION_RETIRED'],
    413: ['BATCH_TOO_LARGE'],
    500: ['NON_FINITE_PREDICTION'],
    502: ['BAD_PEER_REPLY'],
    503: ['MODEL_NOT_READY', 'PREDICTION_LOG_FULL', 'DEPENDENCY_UNAVAILABLE'],
  },
  example: {
    model: 'warm_colour',
    predictions: [
      {
        entity: { colour_id: 'c-0007' },
        score: 0.9997068047523499,
        model: 'warm_colour',
        version: 1,
        arm: 'champion',
        featureStatuses: { 'colour_rgb:r': 'PRESENT', 'colour_rgb:g': 'PRESENT', 'colour_rgb:b': 'PRESENT' },
        features: { 'colour_rgb:r': 230, 'colour_rgb:g': 120, 'colour_rgb:b': 30 },
      },
    ],
    degraded: 0,
  },
};
