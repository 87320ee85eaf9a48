import { Type, type Static } from '@sinclair/typebox';
import { defineContract, defineEvent, defineMessage, Int32 } from '../lib/contract-exports';
import { ModelTask } from './model-spec.contracts';

/** KServe V2 datatypes the platform's models take and give. */
export const TensorDatatype = Type.Union(
  ['BOOL', 'UINT8', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'].map((d) => Type.Literal(d)),
);
export type TensorDatatype = Static<typeof TensorDatatype>;

export const TensorSpec = Type.Object(
  {
    name: Type.String(),
    datatype: TensorDatatype,
    /** -1 marks a variable dimension (the batch). */
    shape: Type.Array(Type.Integer({ minimum: -1 })),
  },
  { additionalProperties: false },
);
export type TensorSpec = Static<typeof TensorSpec>;

/**
 * How one raw feature becomes model input, fitted on the training split only and applied the same
 * way at serving time.
 */
export const FeatureTransform = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('numeric'),
      /** Feature reference (`view:feature`) or raw input name. */
      name: Type.String(),
      mean: Type.Number(),
      std: Type.Number({ exclusiveMinimum: 0 }),
      /** Value used when the input is null, missing or stale (usually the training median). */
      fill: Type.Number(),
      /** Adds a 0/1 indicator input telling the model the value was missing. */
      missingIndicator: Type.Boolean(),
      clip: Type.Optional(Type.Tuple([Type.Number(), Type.Number()])),
      log1p: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('categorical'),
      name: Type.String(),
      /** One-hot vocabulary; anything else maps to the out-of-vocabulary slot. */
      categories: Type.Array(Type.String()),
      oov: Type.Boolean(),
    },
    { additionalProperties: false },
  ),
]);
export type FeatureTransform = Static<typeof FeatureTransform>;

export const Preprocessing = Type.Object(
  {
    features: Type.Array(FeatureTransform),
    /** Width of the vector the transforms produce, in order. */
    outputWidth: Int32({ minimum: 1 }),
  },
  { additionalProperties: false },
);
export type Preprocessing = Static<typeof Preprocessing>;

export const ModelSignature = Type.Object(
  {
    inputs: Type.Array(TensorSpec, { minItems: 1 }),
    outputs: Type.Array(TensorSpec, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type ModelSignature = Static<typeof ModelSignature>;

/** Baseline histogram of one feature (bin edges ascending, proportions per bin incl. the two open ends). */
export const BaselineHistogramSchema = Type.Union([
  Type.Object(
    {
      feature: Type.String(),
      kind: Type.Literal('numeric'),
      edges: Type.Array(Type.Number(), { minItems: 1, maxItems: 100 }),
      proportions: Type.Array(Type.Number({ minimum: 0 }), { minItems: 2, maxItems: 101 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      feature: Type.String(),
      kind: Type.Literal('categorical'),
      /** Category -> proportion; `__other__` for everything outside. */
      proportions: Type.Record(Type.String(), Type.Number({ minimum: 0 })),
    },
    { additionalProperties: false },
  ),
]);
export type BaselineHistogram = Static<typeof BaselineHistogramSchema>;


/**
 * The serialised model the trainer stores in the registry and model-serving loads: a TF.js layers
 * model (topology + base64 weights), a prior/mean baseline, a tree ensemble (flat trees, base64) or
 * a written rule, with its preprocessing and signature.
 * Its sha256 is taken over the canonical JSON (keys sorted) of this object.
 */
const ModelArtifactSchema = Type.Object(
  {
    format: Type.Literal('mlp-model/v1'),
    name: Type.String(),
    version: Int32({ minimum: 1 }),
    task: ModelTask,
    /**
     * Multiclass models: the class names, in the order of the model's outputs (the `probabilities`
     * output's columns), learnt from the training split. Absent for other tasks.
     */
    classes: Type.Optional(Type.Array(Type.String(), { minItems: 2, maxItems: 1000 })),
    algorithm: Type.Union([Type.Literal('baseline'), Type.Literal('logistic_regression'), Type.Literal('mlp'), Type.Literal('random_forest'), Type.Literal('rule')]),
    /** Feature references in model input order (what predict-entities fetches online). */
    features: Type.Array(Type.String()),
    featureService: Type.Optional(Type.String()),
    /**
     * The exact feature view version each view of `features` was trained on (view -> version):
     * serving fetches `view@vN:feature` for these, so later edits of a view never reach the model.
     * Optional: artifacts from before immutable view versions lack it (served through
     * `featureService` or `features`, whatever the views are now).
     */
    featureViewVersions: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,62}$' }), Int32({ minimum: 1 }), { additionalProperties: false }),
    ),
    preprocessing: Preprocessing,
    signature: ModelSignature,
    /**
     * Distribution of each input over the training split (decile bins; categories): the baseline
     * serving measures live-input drift against. Optional: artifacts from before it existed lack it.
     */
    trainingBaseline: Type.Optional(Type.Array(BaselineHistogramSchema)),
    model: Type.Union([
      Type.Object(
        {
          kind: Type.Literal('tfjs-layers'),
          modelTopology: Type.Unknown(),
          weightSpecs: Type.Array(Type.Unknown()),
          weightDataBase64: Type.String(),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          kind: Type.Literal('baseline'),
          /** Prior (constant prediction) plus optional per-feature linear rule over the preprocessed vector. */
          intercept: Type.Number(),
          weights: Type.Array(Type.Number()),
          /** `softmax`: a multiclass prior, one logit per class in `intercepts` (log class frequencies). */
          link: Type.Union([Type.Literal('identity'), Type.Literal('logit'), Type.Literal('softmax')]),
          intercepts: Type.Optional(Type.Array(Type.Number(), { minItems: 2 })),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          kind: Type.Literal('tree-ensemble'),
          /** Number of nodes of each tree, in order; the trees' nodes follow one another in the arrays below. */
          treeSizes: Type.Array(Int32({ minimum: 1 }), { minItems: 1 }),
          /**
           * Per node in preorder (a split node is followed by its left subtree, then its right): the
           * model-vector column it splits on, or -1 for a leaf. Little-endian int32, base64.
           */
          featuresBase64: Type.String(),
          /**
           * Per node: the threshold of a split (a row whose value is below it goes left) or the value
           * of a leaf (class-1 share, or the regression value). Little-endian float32, base64. The
           * prediction is the mean over the trees of the leaf each row reaches.
           */
          valuesBase64: Type.String(),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          kind: Type.Literal('rule'),
          /** The rule as written in the spec. */
          expression: Type.String({ minLength: 1 }),
          /** Each name the rule uses and the model-vector column holding that feature's raw value. */
          inputs: Type.Array(Type.Object({ name: Type.String(), column: Int32({ minimum: 0 }) }, { additionalProperties: false })),
          /** `probability`: the value clamped to [0, 1] (binary); `value`: as computed (regression). */
          output: Type.Union([Type.Literal('probability'), Type.Literal('value')]),
        },
        { additionalProperties: false },
      ),
    ]),
  },
  { additionalProperties: false },
);
export const ModelArtifact = defineContract('training.ModelArtifact', ModelArtifactSchema);
export type ModelArtifact = Static<typeof ModelArtifactSchema>;

const ModelVersionRef = Type.Object(
  {
    model: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,62}$' }),
    version: Type.Optional(Int32({ minimum: 1 })),
    alias: Type.Optional(Type.Union([Type.Literal('champion'), Type.Literal('challenger')])),
  },
  { additionalProperties: false },
);

const ModelVersionWithArtifact = Type.Object(
  {
    model: Type.String(),
    version: Int32({ minimum: 1 }),
    aliases: Type.Array(Type.String()),
    sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    /** Canonical JSON of the ModelArtifact; consumers check its sha256 before loading. */
    artifactJson: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
export type ModelVersionWithArtifact = Static<typeof ModelVersionWithArtifact>;

/** Fetch a model version (by number or alias) with its artifact; model-serving loads models this way. */
export const GetModelVersionMessage = defineMessage(
  'trainer.model-version.v1',
  ModelVersionRef,
  ModelVersionWithArtifact,
  'A registered model version (by number or alias) with its artifact and sha256',
  { callers: ['model-serving'] },
);

/** Which versions hold the aliases right now; model-serving reconciles against this periodically. */
export const ListAliasesMessage = defineMessage(
  'trainer.aliases.v1',
  Type.Object({}, { additionalProperties: false }),
  Type.Object(
    {
      models: Type.Array(
        Type.Object(
          { model: Type.String(), champion: Type.Union([Type.Integer(), Type.Null()]), challenger: Type.Union([Type.Integer(), Type.Null()]) },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
  'Current champion and challenger version of every model',
  { callers: ['model-serving'] },
);

/** An alias moved (through the promotion gate or by an admin). */
export const ModelPromotedEvent = defineEvent(
  'model.promoted.v1',
  Type.Object(
    {
      model: Type.String(),
      alias: Type.Union([Type.Literal('champion'), Type.Literal('challenger')]),
      version: Type.Union([Int32({ minimum: 1 }), Type.Null()]),
      previousVersion: Type.Union([Int32({ minimum: 1 }), Type.Null()]),
      reason: Type.String(),
      metrics: Type.Optional(Type.Record(Type.String(), Type.Number())),
      at: Type.String({ format: 'date-time' }),
    },
    { additionalProperties: false },
  ),
  'A model alias now points at another version; serving swaps to it',
  ['model-serving'],
  { producer: 'trainer' },
);
