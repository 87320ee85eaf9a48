import type { ApiContractOptions } from '@mlp/service-kit';

// The model registry routes' OpenAPI documentation (examples from the warm-colours walkthrough, docs/walkthrough.md).

const MODEL = {
  name: 'warm_colour',
  description: 'Probability that a colour is warm',
  tags: {},
  featureService: 'warm_colour',
  task: 'binary_classification',
  latestVersion: 1,
  aliases: { champion: 1, challenger: null },
  createdAt: '2026-12-07T09:57:18.911Z',
  updatedAt: '2026-12-07T09:57:18.911Z',
};

/** The walkthrough's spec as the trainer answers it (captured from GET /v1/models/warm_colour). */
const SPEC = {
  name: 'warm_colour',
  task: 'binary_classification',
  split: {
    kind: 'random',
    stratify: true,
    testFraction: 0.25,
    validationFraction: 0.1,
  },
  algorithm: {
    kind: 'logistic_regression',
    epochs: 200,
    batchSize: 32,
    learningRate: 0.05,
  },
  promotion: {
    minEvalRows: 50,
    minAbsoluteImprovement: 0.001,
  },
  description: 'Probability that a colour is warm',
  labelSource: {
    sql: 'SELECT colour_id, loaded_at AS event_timestamp, is_warm FROM dwh.mart_colours',
    joinKeys: ['colour_id'],
    labelColumn: 'is_warm',
  },
  primaryMetric: 'auc',
  featureService: 'warm_colour',
};

const VERSION = {
  model: 'warm_colour',
  version: 1,
  algorithm: 'logistic_regression',
  aliases: ['champion'],
  status: 'promoted',
  sha256: 'c1d4e7f0a3b6c9d2e5f8a1b4c7d0e3f6a9b2c5d8e1f4a7b0c3d6e9f2a5b8c1d4',
  metrics: {
    train: { auc: 0.9654, ece: 0.05229, f1: 0.8841, log_loss: 0.2485, rows: 269 },
    validation: { auc: 0.9706, ece: 0.07112, f1: 0.9333, log_loss: 0.2391, rows: 30 },
    baseline: { auc: 0.5, ece: 0.0006257, f1: 0.6711, log_loss: 0.6931, rows: 101 },
    candidate: { auc: 0.9961, ece: 0.06365, f1: 0.9615, log_loss: 0.1215, rows: 101 },
  },
  lineage: {
    runId: '35a81d11-b51a-4711-9775-dce85551d355',
    datasetFingerprint: '9f3c2a1b7d4e5f60a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718',
    datasetRows: 400,
    featureService: 'warm_colour',
    featureServiceVersion: '1',
    featureViewVersions: { colour_rgb: 1 },
    specHash: '4b8e0d2f6a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d0f2a4c6e8b0d1f3a5c7e9b',
    codeVersion: '0.1.0',
    backend: 'tfjs-node',
    seed: 1183410345,
    dataStart: '2026-12-07T09:57:20.000Z',
    dataEnd: '2026-12-07T09:58:00.000Z',
    holdoutStart: '2026-12-07T09:57:20.000Z',
    split: { kind: 'random', seed: 1183410345, folds: null, trainRows: 269, validationRows: 30, testRows: 101 },
    crossValidation: null,
    searchId: null,
  },
  gate: { promoted: true, reason: 'auc 0.996078 beats the baseline 0.5 by 0.496078', code: 'BEATS_BASELINE', comparedWith: 'baseline', candidate: 0.996078, reference: 0.5 },
  tags: {},
  description: 'Probability that a colour is warm',
  runId: '35a81d11-b51a-4711-9775-dce85551d355',
  createdAt: '2026-12-07T09:58:05.902Z',
};

const NAME = { name: 'The model (its spec name), e.g. warm_colour' };
const NAME_VERSION = { ...NAME, version: 'A version number (1, 2, ...)' };

export const LIST_MODELS_DOC: ApiContractOptions = {
  summary: 'Registered models with their aliases',
  description: 'Every model with a spec: its feature service, task, latest version, and which versions the `champion` (what serving answers with) and `challenger` (what gets a traffic share) aliases point at. Scope `trainer:read`.',
  errors: {},
  example: { models: [MODEL] },
};

export const GET_MODEL_DOC: ApiContractOptions = {
  summary: 'One model with its spec',
  description: "A model's summary, aliases and current spec (with its hash). Scope `trainer:read`.",
  params: NAME,
  errors: { 404: ['MODEL_NOT_FOUND'] },
  example: { ...MODEL, spec: SPEC, specHash: '162e8770d4ff6c45d415f7ac345d9b3447d6f81d30bc42ea4995968a97b68407' },
};

export const LIST_VERSIONS_DOC: ApiContractOptions = {
  summary: "A model's versions, newest first",
  description:
    "Each registered version: algorithm, aliases, status (`promoted` or `candidate`), artifact sha256, held-out metrics, lineage (run, dataset fingerprint, feature view versions, code version, seed) and the gate's decision. A page of at most `limit` (1..500, default 100), newest first; `nextCursor` (null on the last page) passed as `cursor` gives the next one (keyset on the version number). Scope `trainer:read`.",
  params: NAME,
  errors: { 400: ['VALIDATION_FAILED', 'INVALID_CURSOR'], 404: ['MODEL_NOT_FOUND'] },
  example: { model: 'warm_colour', versions: [VERSION], nextCursor: null },
};

export const GET_VERSION_DOC: ApiContractOptions = {
  summary: 'One model version with metrics, lineage and gate decision',
  description: 'What was trained, on which data, how it scored against the baseline and the champion, and why it was or was not promoted. Scope `trainer:read`.',
  params: NAME_VERSION,
  errors: { 400: ['INVALID_VERSION'], 404: ['VERSION_NOT_FOUND'] },
  example: VERSION,
};

/** The walkthrough's model artifact, as GET .../versions/1/artifact answered it. */
const ARTIFACT = {
  algorithm: 'logistic_regression',
  featureService: 'warm_colour',
  featureViewVersions: {
    colour_rgb: 1,
  },
  features: ['colour_rgb:b', 'colour_rgb:g', 'colour_rgb:r'],
  format: 'mlp-model/v1',
  model: {
    kind: 'tfjs-layers',
    modelTopology: {
      backend: 'tensor_flow.js',
      class_name: 'Sequential',
      config: {
        layers: [
          {
            class_name: 'Dense',
            config: {
              activation: 'sigmoid',
              activity_regularizer: null,
              batch_input_shape: [null, 3],
              bias_constraint: null,
              bias_initializer: {
                class_name: 'Zeros',
                config: {},
              },
              bias_regularizer: null,
              dtype: 'float32',
              kernel_constraint: null,
              kernel_initializer: {
                class_name: 'VarianceScaling',
                config: {
                  distribution: 'uniform',
                  mode: 'fan_avg',
                  scale: 1,
                  seed: 0,
                },
              },
              kernel_regularizer: {
                class_name: 'L1L2',
                config: {
                  l1: 0,
                  l2: 0.0018587360594795538,
                },
              },
              name: 'output',
              trainable: true,
              units: 1,
              use_bias: true,
            },
          },
        ],
        name: 'model',
      },
      keras_version: 'tfjs-layers 4.22.0',
    },
    weightDataBase64: 'CsY0wOycC77d2kNAEkPRPQ==',
    weightSpecs: [
      {
        dtype: 'float32',
        name: 'output/kernel',
        shape: [3, 1],
      },
      {
        dtype: 'float32',
        name: 'output/bias',
        shape: [1],
      },
    ],
  },
  name: 'warm_colour',
  preprocessing: {
    features: [
      {
        fill: 127,
        kind: 'numeric',
        mean: 128.95910780669146,
        missingIndicator: false,
        name: 'colour_rgb:b',
        std: 73.50868118031654,
      },
      {
        fill: 135,
        kind: 'numeric',
        mean: 124.63197026022304,
        missingIndicator: false,
        name: 'colour_rgb:g',
        std: 77.64279482069077,
      },
      {
        fill: 119,
        kind: 'numeric',
        mean: 126.82527881040892,
        missingIndicator: false,
        name: 'colour_rgb:r',
        std: 72.27021753388031,
      },
    ],
    outputWidth: 3,
  },
  signature: {
    inputs: [
      {
        datatype: 'INT64',
        name: 'colour_rgb:b',
        shape: [-1],
      },
      {
        datatype: 'INT64',
        name: 'colour_rgb:g',
        shape: [-1],
      },
      {
        datatype: 'INT64',
        name: 'colour_rgb:r',
        shape: [-1],
      },
    ],
    outputs: [
      {
        datatype: 'FP32',
        name: 'probability',
        shape: [-1],
      },
    ],
  },
  task: 'binary_classification',
  trainingBaseline: [
    {
      edges: [24, 50, 83, 104, 127, 148, 179, 211, 235],
      feature: 'colour_rgb:b',
      kind: 'numeric',
      proportions: [0.09665427509293681, 0.10037174721189591, 0.10037174721189591, 0.10037174721189591, 0.10037174721189591, 0.10037174721189591, 0.09293680297397769, 0.09665427509293681, 0.11152416356877323, 0.10037174721189591],
    },
    {
      edges: [11, 38, 70, 105, 135, 155, 180, 204, 227],
      feature: 'colour_rgb:g',
      kind: 'numeric',
      proportions: [0.09293680297397769, 0.10408921933085502, 0.10037174721189591, 0.10037174721189591, 0.09665427509293681, 0.10037174721189591, 0.10408921933085502, 0.09665427509293681, 0.10037174721189591, 0.10408921933085502],
    },
    {
      edges: [33, 53, 77, 102, 119, 147, 178, 203, 231],
      feature: 'colour_rgb:r',
      kind: 'numeric',
      proportions: [0.09293680297397769, 0.10037174721189591, 0.10037174721189591, 0.09665427509293681, 0.10408921933085502, 0.10408921933085502, 0.10037174721189591, 0.09665427509293681, 0.10408921933085502, 0.10037174721189591],
    },
  ],
  version: 1,
};

export const ARTIFACT_DOC: ApiContractOptions = {
  summary: "A version's model artifact (mlp-model/v1)",
  description:
    "The artifact byte for byte as registered (the `training.ModelArtifact` JSON: feature order, preprocessing, signature, weights, training histograms for drift; the example is the walkthrough's logistic regression), with `x-artifact-sha256` and an ETag. Its sha256 is checked before it is sent: bytes that no longer match are refused (409 ARTIFACT_INTEGRITY_FAILED) rather than served. model-serving loads versions through the transport, not this route. Scope `trainer:read`.",
  params: NAME_VERSION,
  errors: { 400: ['INVALID_VERSION'], 404: ['VERSION_NOT_FOUND'], 409: ['ARTIFACT_INTEGRITY_FAILED', 'ARTIFACT_INVALID'] },
  // Captured from the walkthrough's real answer (tools/e2e/projects.test.mjs with CAPTURE_EXAMPLES_DIR).
  example: ARTIFACT,
};

export const MOVE_ALIAS_DOC: ApiContractOptions = {
  summary: 'Move the champion or challenger alias by hand',
  description:
    "Points `champion` or `challenger` at a version (`version: null` removes the alias), for a rollback or a manual promotion, with a `reason`. The move, its audit entry (who, when, from, to, why) and the `model.promoted.v1` event commit together; serving swaps to the new champion without dropping requests. Moving an alias to where it already points changes nothing (`changed: false`). Scope `admin`.",
  params: NAME,
  errors: { 400: ['VALIDATION_FAILED'], 404: ['MODEL_NOT_FOUND', 'VERSION_NOT_FOUND'], 409: ['ARTIFACT_INTEGRITY_FAILED', 'ARTIFACT_INVALID'] },
  example: { model: 'warm_colour', alias: 'champion', version: 1, previousVersion: 2, changed: true },
};

export const AUDIT_DOC: ApiContractOptions = {
  summary: "A model's alias history",
  description: 'The append-only log of alias moves, oldest first: which alias, from and to which version, by whom (the gate, or the token that moved it), why, and the training run behind it. Scope `trainer:read`.',
  params: NAME,
  errors: { 404: ['MODEL_NOT_FOUND'] },
  example: {
    model: 'warm_colour',
    entries: [
      { id: 1, alias: 'champion', from: null, to: 1, actor: 'promotion-gate', reason: 'auc 0.996078 beats the baseline 0.5 by 0.496078', runId: '35a81d11-b51a-4711-9775-dce85551d355', at: '2026-12-07T09:58:05.902Z' },
      { id: 2, alias: 'champion', from: 2, to: 1, actor: 'ops-admin', reason: 'roll back: v2 answers high scores for blue', runId: null, at: '2026-12-07T10:20:41.377Z' },
    ],
  },
};
