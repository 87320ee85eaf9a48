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

const VERSION = {
  model: 'warm_colour',
  version: 1,
  algorithm: 'logistic_regression',
  aliases: ['champion'],
  status: 'promoted',
  sha256: 'c1d4e7f0a3b6c9d2e5f8a1b4c7d0e3f6a9b2c5d8e1f4a7b0c3d6e9f2a5b8c1d4',
  metrics: {
    train: { auc: 0.9654, ece: 0.05229, f1: 0.8841, log_loss: 0.2485, rows: 269 },
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
  example: { ...MODEL, spec: { name: 'warm_colour', featureService: 'warm_colour', task: 'binary_classification', primaryMetric: 'auc' }, specHash: '4b8e0d2f6a1c3e5b7d9f0a2c4e6b8d0f1a3c5e7b9d0f2a4c6e8b0d1f3a5c7e9b' },
};

export const LIST_VERSIONS_DOC: ApiContractOptions = {
  summary: "A model's versions, newest first",
  description: "Each registered version: algorithm, aliases, status (`promoted` or `candidate`), artifact sha256, held-out metrics, lineage (run, dataset fingerprint, feature view versions, code version, seed) and the gate's decision. Scope `trainer:read`.",
  params: NAME,
  errors: { 404: ['MODEL_NOT_FOUND'] },
  example: { model: 'warm_colour', versions: [VERSION] },
};

export const GET_VERSION_DOC: ApiContractOptions = {
  summary: 'One model version with metrics, lineage and gate decision',
  description: 'What was trained, on which data, how it scored against the baseline and the champion, and why it was or was not promoted. Scope `trainer:read`.',
  params: NAME_VERSION,
  errors: { 400: ['INVALID_VERSION'], 404: ['VERSION_NOT_FOUND'] },
  example: VERSION,
};

export const ARTIFACT_DOC: ApiContractOptions = {
  summary: "A version's model artifact (mlp-model/v1)",
  description:
    "The artifact byte for byte as registered (the `training.ModelArtifact` JSON: feature order, preprocessing, signature, weights, training histograms for drift; the example is a baseline model's, whose rule fits on a line: a trained model's `model` holds its tfjs-layers topology and base64 weights instead), with `x-artifact-sha256` and an ETag. Its sha256 is checked before it is sent: bytes that no longer match are refused (409 ARTIFACT_INTEGRITY_FAILED) rather than served. model-serving loads versions through the transport, not this route. Scope `trainer:read`.",
  params: NAME_VERSION,
  errors: { 400: ['INVALID_VERSION'], 404: ['VERSION_NOT_FOUND'], 409: ['ARTIFACT_INTEGRITY_FAILED', 'ARTIFACT_INVALID'] },
  // A whole artifact (it validates against training.ModelArtifact; tools/docs/check-openapi.mjs checks).
  example: {
    format: 'mlp-model/v1',
    name: 'warm_colour',
    version: 1,
    task: 'binary_classification',
    algorithm: 'baseline',
    features: ['colour_rgb:r', 'colour_rgb:g', 'colour_rgb:b'],
    featureService: 'warm_colour',
    featureViewVersions: { colour_rgb: 1 },
    preprocessing: {
      features: [
        { kind: 'numeric', name: 'colour_rgb:r', mean: 127.4, std: 73.9, fill: 127, missingIndicator: false },
        { kind: 'numeric', name: 'colour_rgb:g', mean: 126.8, std: 74.2, fill: 127, missingIndicator: false },
        { kind: 'numeric', name: 'colour_rgb:b', mean: 128.1, std: 73.6, fill: 128, missingIndicator: false },
      ],
      outputWidth: 3,
    },
    signature: {
      inputs: [
        { name: 'colour_rgb:r', datatype: 'INT64', shape: [-1] },
        { name: 'colour_rgb:g', datatype: 'INT64', shape: [-1] },
        { name: 'colour_rgb:b', datatype: 'INT64', shape: [-1] },
      ],
      outputs: [{ name: 'probability', datatype: 'FP32', shape: [-1] }],
    },
    trainingBaseline: [{ feature: 'colour_rgb:r', kind: 'numeric', edges: [64, 128, 192], proportions: [0.25, 0.25, 0.25, 0.25] }],
    model: { kind: 'baseline', intercept: 0, weights: [1.8, 0.1, -1.7], link: 'logit' },
  },
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
