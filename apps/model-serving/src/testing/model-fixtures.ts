import type { ModelArtifact, ModelVersionWithArtifact, Preprocessing } from '@mlp/contracts';
import { rawInputSignature } from '@mlp/model-runtime';
import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';

/** Canonical JSON (keys sorted at every level), the form the artifact's sha256 is taken over. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Two numeric features and a categorical one: 1 + 1 (missing indicator) + 1 + 3 (plans, no OOV) = 6 inputs. */
export const demoPreprocessing: Preprocessing = {
  outputWidth: 6,
  features: [
    { kind: 'numeric', name: 'user_activity:orders_7d', mean: 2, std: 1.5, fill: 1, missingIndicator: true, clip: [0, 50] },
    { kind: 'numeric', name: 'user_activity:revenue_7d', mean: 3, std: 1, fill: 0, missingIndicator: false, log1p: true },
    { kind: 'categorical', name: 'user_profile:plan', categories: ['free', 'plus', 'pro'], oov: false },
  ],
};

/** The model takes its raw features, typed as the feature store declares them. */
const signature = {
  inputs: rawInputSignature(demoPreprocessing, { 'user_activity:orders_7d': 'int64', 'user_activity:revenue_7d': 'float64', 'user_profile:plan': 'string' }),
  outputs: [{ name: 'probability', datatype: 'FP32' as const, shape: [-1, 1] }],
};

/** A raw row of the demo features (what a client sends and the feature store serves). */
export interface DemoRow {
  orders: number | null;
  revenue: number | null;
  plan: string | null;
}

/**
 * The model input of a raw row, computed by hand from `demoPreprocessing`'s numbers (an independent
 * reference for the server's preprocessing): orders clipped to [0, 50], (x - 2) / 1.5 with a
 * missing indicator (fill 1); revenue log1p then - 3 (fill 0); plan one-hot over free, plus, pro.
 */
export function demoVector(row: DemoRow): number[] {
  const orders = row.orders === null ? 1 : Math.min(50, Math.max(0, row.orders));
  const revenue = Math.log1p(Math.max(0, row.revenue ?? 0));
  return [(orders - 2) / 1.5, row.orders === null ? 1 : 0, revenue - 3, ...['free', 'plus', 'pro'].map((p) => (row.plan === p ? 1 : 0))];
}

/** V2 input tensors for raw rows. */
export function demoTensors(rows: DemoRow[]) {
  return [
    { name: 'user_activity:orders_7d', datatype: 'INT64', shape: [rows.length], data: rows.map((r) => r.orders) },
    { name: 'user_activity:revenue_7d', datatype: 'FP64', shape: [rows.length], data: rows.map((r) => r.revenue) },
    { name: 'user_profile:plan', datatype: 'BYTES', shape: [rows.length], data: rows.map((r) => r.plan) },
  ];
}

export function baselineArtifact(name: string, version: number, intercept = 0, weights = [0.8, -0.3, 0.5, 0.1, 0.2, 0.4]): ModelArtifact {
  return {
    format: 'mlp-model/v1',
    name,
    version,
    task: 'binary_classification',
    algorithm: 'baseline',
    features: demoPreprocessing.features.map((f) => f.name),
    preprocessing: demoPreprocessing,
    signature,
    model: { kind: 'baseline', intercept, weights, link: 'logit' },
  };
}

/**
 * A baseline over the two numeric demo features only (width 3: orders, its missing indicator,
 * revenue): a model whose inputs are all numbers, logged as binary frames.
 */
export function numericArtifact(name: string, version: number, intercept = 0, weights = [0.8, -0.3, 0.5]): ModelArtifact {
  const base = baselineArtifact(name, version, intercept, weights);
  const features = demoPreprocessing.features.slice(0, 2);
  return {
    ...base,
    features: features.map((f) => f.name),
    preprocessing: { outputWidth: 3, features },
    signature: { ...base.signature, inputs: base.signature.inputs.slice(0, 2) },
  };
}

/** A small TF.js MLP (6 -> 8 relu -> 1 sigmoid) with deterministic weights derived from `seed`. */
export async function tfjsArtifact(name: string, version: number, seed = 1): Promise<ModelArtifact> {
  await tf.setBackend('cpu');
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [6], units: 8, activation: 'relu', kernelInitializer: tf.initializers.randomNormal({ seed }) }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.randomNormal({ seed: seed + 1 }) }),
    ],
  });
  return { ...baselineArtifact(name, version), algorithm: 'mlp', model: await layersModelPart(model) };
}

/** A TF.js network as the `tfjs-layers` model part of an artifact (the network is disposed). */
async function layersModelPart(model: tf.LayersModel): Promise<ModelArtifact['model']> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  const art = saved as tf.io.ModelArtifacts;
  return {
    kind: 'tfjs-layers',
    modelTopology: art.modelTopology,
    weightSpecs: art.weightSpecs as unknown[],
    weightDataBase64: Buffer.from(art.weightData as ArrayBuffer).toString('base64'),
  };
}

/**
 * A multiclass TF.js model (6 -> 3 softmax: multinomial logistic regression) over the demo
 * features with deterministic weights, its classes and its two outputs (probabilities, label).
 */
export async function multiclassArtifact(name: string, version: number, classes = ['bird', 'cat', 'dog'], seed = 3): Promise<ModelArtifact> {
  await tf.setBackend('cpu');
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [6], units: classes.length, activation: 'softmax', kernelInitializer: tf.initializers.randomNormal({ seed, stddev: 2 }) })],
  });
  const base = baselineArtifact(name, version);
  return {
    ...base,
    task: 'multiclass_classification',
    classes,
    algorithm: 'logistic_regression',
    signature: {
      inputs: base.signature.inputs,
      outputs: [
        { name: 'probabilities', datatype: 'FP32', shape: [-1, classes.length] },
        { name: 'label', datatype: 'BYTES', shape: [-1] },
      ],
    },
    model: await layersModelPart(model),
  };
}

/** What the trainer's `trainer.model-version.v1` answers for an artifact. */
export function registryEntry(artifact: ModelArtifact, aliases: string[] = [], corruptBy?: 'sha' | 'weights'): ModelVersionWithArtifact {
  let json = canonicalJson(artifact);
  const sha256 = createHash('sha256').update(json).digest('hex');
  if (corruptBy === 'sha') json = json.replace('"mlp-model/v1"', '"mlp-model/v1" ');
  if (corruptBy === 'weights' && artifact.model.kind === 'tfjs-layers') {
    // Truncated weights with a matching checksum: the bytes arrived intact but are not a model.
    const broken = { ...artifact, model: { ...artifact.model, weightDataBase64: artifact.model.weightDataBase64.slice(0, 12) } };
    json = canonicalJson(broken);
    return { model: artifact.name, version: artifact.version, aliases, sha256: createHash('sha256').update(json).digest('hex'), artifactJson: json, createdAt: new Date().toISOString() };
  }
  return { model: artifact.name, version: artifact.version, aliases, sha256, artifactJson: json, createdAt: new Date().toISOString() };
}
