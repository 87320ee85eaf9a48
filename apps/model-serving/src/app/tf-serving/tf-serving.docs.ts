import type { ApiContractOptions } from '@mlp/service-kit';
import { INFER_CODES } from '../open-inference/open-inference.docs';

// The TF-Serving REST routes' OpenAPI documentation. Examples: the README's request examples from real models.

const SEMANTICS =
  'Body: `{"instances": [...]}` (rows: objects naming the raw features, or bare values for a model of one feature) answered `{"predictions": [...]}`, or `{"inputs": {...} | [...]}` (columns by feature) answered `{"outputs": ...}`. ' +
  'The body becomes V2 tensors typed by the model\'s metadata and takes the one inference path: the same preprocessing, checks, error codes and prediction log as `POST /v2/models/{model}/infer`. ' +
  'A multiclass model answers each row as `{"probabilities": [...K], "label": "<class>"}` (`predictions`), or `{"probabilities": [[...K], ...], "label": [...]}` (`outputs`). Scope `serving:predict`.';
const MODEL = { model: 'A served model, e.g. churn' };
const EXAMPLE = { predictions: [0.14264178276062012, 0.2876732349395752] };
const STATUS = {
  model_version_status: [
    { version: '2', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
    { version: '3', state: 'LOADING', status: { error_code: 'OK', error_message: '' } },
  ],
  labels: { champion: 2, challenger: null },
};

export const PREDICT_DOC: ApiContractOptions = {
  summary: 'Predict (TF-Serving REST) with the version the traffic policy picks',
  description: `For teams migrating from TF-Serving (\`/v1/models/{model}:predict\`). The champion answers, or the challenger for its canary share, routed by the \`x-sticky-key\` header. ${SEMANTICS}`,
  params: MODEL,
  headers: { 'x-sticky-key': { required: false, description: 'Routes the request to the same arm as earlier requests with this key (canary)' } },
  errors: INFER_CODES,
  example: EXAMPLE,
};

export const PREDICT_VERSION_DOC: ApiContractOptions = {
  summary: 'Predict (TF-Serving REST) with one version',
  description: `\`/v1/models/{model}/versions/{version}:predict\`: pins the version (loaded from the registry on first use). ${SEMANTICS}`,
  params: { ...MODEL, version: 'A version number (1, 2, ...)' },
  errors: INFER_CODES,
  example: EXAMPLE,
};

export const PREDICT_LABEL_DOC: ApiContractOptions = {
  summary: 'Predict (TF-Serving REST) with the champion or the challenger',
  description: `\`/v1/models/{model}/labels/{champion|challenger}:predict\`: the version the label (alias) points at now; an alias that is not set is 404 MODEL_VERSION_NOT_FOUND. ${SEMANTICS}`,
  params: { ...MODEL, label: '`champion` or `challenger`' },
  errors: INFER_CODES,
  example: EXAMPLE,
};

export const STATUS_DOC: ApiContractOptions = {
  summary: "A model's versions in memory (TF-Serving model status)",
  description:
    "One entry per version held or wanted: AVAILABLE (loaded), LOADING (an alias points at it, not loaded yet), END with FAILED_PRECONDITION and the reason (refused: e.g. its artifact failed verification); `labels` says where champion and challenger point. Any valid token.",
  params: MODEL,
  errors: { 404: ['MODEL_NOT_FOUND'] },
  example: STATUS,
};

export const VERSION_STATUS_DOC: ApiContractOptions = {
  summary: "One version's status (TF-Serving model status)",
  description: 'The status entry of one version; a version neither loaded nor wanted is 404 MODEL_VERSION_NOT_FOUND. Any valid token.',
  params: { ...MODEL, version: 'A version number (1, 2, ...)' },
  errors: { 404: ['MODEL_NOT_FOUND', 'MODEL_VERSION_NOT_FOUND'] },
  example: { model_version_status: [STATUS.model_version_status[0]] },
};
