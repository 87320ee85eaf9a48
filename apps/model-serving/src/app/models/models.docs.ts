import type { ApiContractOptions } from '@mlp/service-kit';

// The served models' operating routes' OpenAPI documentation.

const POLICY = { canaryWeight: 0.1, stickyKey: 'entity', shadow: false, maxBatchSize: 32, maxBatchDelayMs: 1 };

export const LIST_MODELS_DOC: ApiContractOptions = {
  summary: 'Served models: aliases wanted and loaded, pinned versions, policy',
  description:
    "Every model the registry has a champion or challenger for: the version each alias should serve (`wanted`) and the one loaded now, versions pinned by requests, the last load error (e.g. an artifact that failed verification) and the traffic policy. `ready` is the readiness probe's answer. Any valid token.",
  errors: {},
  example: {
    ready: true,
    models: [{ name: 'warm_colour', champion: 1, challenger: null, wanted: { champion: 1, challenger: null }, pinned: [], lastError: null, policy: { ...POLICY, canaryWeight: 0 } }],
  },
};

export const GET_POLICY_DOC: ApiContractOptions = {
  summary: "A model's traffic policy",
  description:
    'How requests without a version are split: `canaryWeight` (0..1, the challenger\'s share), `stickyKey` (`entity`: the request\'s entity key, `header`: `x-sticky-key`) so one caller keeps one arm, `shadow` (the challenger also scores the champion\'s requests, logged only), and the adaptive batcher\'s `maxBatchSize` and `maxBatchDelayMs`. Defaults: no canary, entity stickiness, no shadow, 32 rows, 1 ms. Any valid token.',
  params: { model: 'A served model' },
  errors: { 404: ['MODEL_NOT_FOUND'] },
  example: POLICY,
};

export const SET_POLICY_DOC: ApiContractOptions = {
  summary: "Change a model's traffic policy",
  description: 'Sets the given fields (the others keep their values), stored in `serving.traffic_policies` and applied at once on every replica. Answers the whole policy. Scope `serving:admin`.',
  params: { model: 'A served model' },
  errors: { 400: ['VALIDATION_FAILED'], 404: ['MODEL_NOT_FOUND'] },
  example: POLICY,
};
