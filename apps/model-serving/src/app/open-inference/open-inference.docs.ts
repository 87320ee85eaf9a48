import type { ApiContractOptions } from '@mlp/service-kit';

// The Open Inference Protocol (KServe V2) routes' OpenAPI documentation. Examples: the warm-colours
// walkthrough (docs/walkthrough.md) and the README's request examples from real models.

export const INFER_CODES = {
  400: [
    'INVALID_INFER_REQUEST',
    'UNKNOWN_INPUT',
    'MISSING_INPUT',
    'DATATYPE_MISMATCH',
    'SHAPE_MISMATCH',
    'NON_FINITE_NUMBER',
    'INPUT_OUT_OF_RANGE',
    'UNKNOWN_OUTPUT',
    'INVALID_ENTITY',
    'ENTITY_ROWS_MISMATCH',
  ],
  404: ['MODEL_NOT_FOUND', 'MODEL_VERSION_NOT_FOUND'],
  413: ['BATCH_TOO_LARGE'],
  422: ['CORRUPT_ARTIFACT'],
  500: ['NON_FINITE_PREDICTION'],
  503: ['MODEL_NOT_READY', 'PREDICTION_LOG_FULL'],
};

const INFER_SEMANTICS =
  'Inputs are the raw features (one tensor per `view:feature`, shape `[n]` or `[n, 1]`; any numeric datatype for a numeric feature, `BYTES` for a categorical one, JSON `null` a missing value filled as in training): the preprocessing recorded in the artifact runs inside the server with the trainer\'s own code, so every route gives the trainer\'s score for the same raw values. ' +
  '`data` flat or nested row-major; the answer echoes `id`, returns only the requested `outputs`, and `parameters.arm` says which arm answered. `parameters.entity` names the rows\' entity keys so the model\'s outcome can label the logged predictions. Every prediction is logged to the warehouse. ' +
  'A multiclass model answers `probabilities` (FP32 `[n, K]`, columns in the order of `parameters.classes`) and `label` (BYTES `[n]`, the most probable class). Scope `serving:predict`.';

const METADATA = {
  name: 'warm_colour',
  versions: ['1'],
  platform: 'tensorflowjs_layers',
  inputs: [
    { name: 'colour_rgb:r', datatype: 'INT64', shape: [-1] },
    { name: 'colour_rgb:g', datatype: 'INT64', shape: [-1] },
    { name: 'colour_rgb:b', datatype: 'INT64', shape: [-1] },
  ],
  outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1] }],
  parameters: { version: '1', sha256: 'c1d4e7f0a3b6c9d2e5f8a1b4c7d0e3f6a9b2c5d8e1f4a7b0c3d6e9f2a5b8c1d4', task: 'binary_classification', algorithm: 'logistic_regression', input_kind: 'raw_features' },
};
const MODEL = { model: 'A served model, e.g. warm_colour' };
const VERSION = { ...MODEL, version: 'A version number (1, 2, ...)' };

export const LIVE_DOC: ApiContractOptions = {
  summary: 'Liveness (Open Inference Protocol)',
  description: 'Answers `{"live": true}` while the process runs. Public.',
  errors: {},
  example: { live: true },
};

export const READY_DOC: ApiContractOptions = {
  summary: 'Readiness: every champion is loaded',
  description: 'Answers `{"ready": true}` once every model with a champion has it loaded, 503 NOT_READY before (a load balancer sends no inference until then). Public.',
  errors: { 503: ['NOT_READY'] },
  example: { ready: true },
};

export const SERVER_DOC: ApiContractOptions = {
  summary: 'Server metadata',
  description: "The server's name and version and the protocol extensions it implements (`model_repository_status`, `traffic_policy`, `entity_predictions`). Any valid token.",
  errors: {},
  example: { name: 'model-serving', version: '0.1.0', extensions: ['model_repository_status', 'traffic_policy', 'entity_predictions'] },
};

export const METADATA_DOC: ApiContractOptions = {
  summary: "A model's metadata (its champion): inputs, outputs, platform",
  description:
    "What to send: the inputs are the model's raw features (`view:feature`, shape `[-1]`) typed from the feature store's declarations (int64 `INT64`, float64 `FP64`, bool `BOOL`, string `BYTES`); `versions` lists the loaded versions; `parameters` the champion's version, artifact sha256, task and algorithm. Any valid token.",
  params: MODEL,
  errors: { 404: ['MODEL_NOT_FOUND'], 503: ['MODEL_NOT_READY'] },
  example: METADATA,
};

export const VERSION_METADATA_DOC: ApiContractOptions = {
  summary: "One loaded version's metadata",
  description: 'As the model metadata, for one version held in memory (a version loads on its first infer: 404 MODEL_VERSION_NOT_FOUND before). Any valid token.',
  params: VERSION,
  errors: { 404: ['MODEL_NOT_FOUND', 'MODEL_VERSION_NOT_FOUND'] },
  example: METADATA,
};

export const MODEL_READY_DOC: ApiContractOptions = {
  summary: "Whether a model's champion is loaded",
  description: '200 `{name, ready: true}` when the champion answers; 404 for a model not served, 503 MODEL_NOT_READY while it loads. Any valid token.',
  params: MODEL,
  errors: { 404: ['MODEL_NOT_FOUND'], 503: ['MODEL_NOT_READY'] },
  example: { name: 'warm_colour', ready: true },
};

export const VERSION_READY_DOC: ApiContractOptions = {
  summary: 'Whether one version is loaded',
  description: '200 `{name, version, ready: true}` when the version is held in memory. Any valid token.',
  params: VERSION,
  errors: { 404: ['MODEL_NOT_FOUND', 'MODEL_VERSION_NOT_FOUND'] },
  example: { name: 'warm_colour', version: '1', ready: true },
};

export const INFER_DOC: ApiContractOptions = {
  summary: 'Predict with the version the traffic policy picks',
  description: `The champion answers, or the challenger for its canary share (\`canaryWeight\` of the traffic policy), routed by a sticky key: \`parameters.sticky_key\` (the entity key) or the \`x-sticky-key\` header, the request id as a last resort. ${INFER_SEMANTICS}`,
  params: MODEL,
  errors: INFER_CODES,
  example: {
    model_name: 'warm_colour',
    model_version: '1',
    parameters: { arm: 'champion' },
    outputs: [{ name: 'probability', datatype: 'FP32', shape: [2], data: [0.9997068047523499, 0.0008626226335763931] }],
  },
};

export const INFER_VERSION_DOC: ApiContractOptions = {
  summary: 'Predict with one version',
  description: `Pins the version (\`parameters.arm\` is \`pinned\`); a version that is not loaded is fetched from the registry and loaded first. ${INFER_SEMANTICS}`,
  params: VERSION,
  errors: INFER_CODES,
  example: {
    model_name: 'churn',
    model_version: '2',
    parameters: { arm: 'pinned' },
    outputs: [{ name: 'probability', datatype: 'FP32', shape: [2], data: [0.14264178276062012, 0.2876732349395752] }],
  },
};

