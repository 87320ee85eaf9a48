import type { Algorithm, EpochPoint, ModelTask } from '@mlp/contracts';
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../seeded-random';
import { compileDenseStack } from './dense-forward';
import { outputWidthOf, type ArtifactModel, type ModelKind, type Predictor, type TrainInput } from './model-kind';

type TrainedAlgorithm = Extract<Algorithm, { kind: 'logistic_regression' | 'mlp' }>;
export type SerializedLayers = Extract<ArtifactModel, { kind: 'tfjs-layers' }>;

function permutation(n: number, random: () => number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** Output activation and loss of each task: a sigmoid unit, a softmax over the classes, a linear unit. */
const HEAD: Record<ModelTask, { activation: 'sigmoid' | 'softmax' | 'linear'; loss: string }> = {
  binary_classification: { activation: 'sigmoid', loss: 'binaryCrossentropy' },
  multiclass_classification: { activation: 'softmax', loss: 'categoricalCrossentropy' },
  regression: { activation: 'linear', loss: 'meanSquaredError' },
};

/**
 * The TF.js layers network of a spec: logistic/linear regression is one dense layer (one unit, or
 * one per class under a softmax: multinomial logistic regression), the MLP adds hidden layers.
 */
export function buildLayersModel(task: ModelTask, algorithm: TrainedAlgorithm, inputWidth: number, seed: number, outWidth = 1): tf.LayersModel {
  // Explicit layer names: TF.js numbers anonymous layers per process, which would make two
  // identical runs produce different topologies (and artifact hashes).
  const model = tf.sequential({ name: 'model' });
  const regularizer = algorithm.l2 ? tf.regularizers.l2({ l2: algorithm.l2 }) : undefined;
  let layerSeed = seed;
  if (algorithm.kind === 'mlp') {
    algorithm.hiddenUnits.forEach((units, i) => {
      model.add(
        tf.layers.dense({
          name: `hidden_${i + 1}`,
          units,
          activation: algorithm.activation ?? 'relu',
          inputShape: i === 0 ? [inputWidth] : undefined,
          kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed++ }),
          kernelRegularizer: regularizer,
        }),
      );
      if (algorithm.dropout > 0) model.add(tf.layers.dropout({ name: `dropout_${i + 1}`, rate: algorithm.dropout, seed: layerSeed++ }));
    });
  }
  model.add(
    tf.layers.dense({
      name: 'output',
      units: outWidth,
      activation: HEAD[task].activation,
      inputShape: algorithm.kind === 'mlp' ? undefined : [inputWidth],
      kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed++ }),
      kernelRegularizer: regularizer,
    }),
  );
  model.compile({ optimizer: tf.train.adam(algorithm.learningRate), loss: HEAD[task].loss });
  return model;
}

/**
 * The L2 penalty when a spec names none. Logistic/linear regression gets scikit-learn's default
 * (C = 1: a penalty of ||w||^2 / 2 against the summed loss, i.e. 1 / (2n) against the mean loss
 * TF.js minimises), so a small table is not fitted to the last row; an MLP gets none (its dropout
 * and early stopping regularise it).
 */
export function defaultL2(algorithm: TrainedAlgorithm, rows: number): number | undefined {
  return algorithm.kind === 'logistic_regression' ? 1 / (2 * Math.max(1, rows)) : undefined;
}

/**
 * Trains with seeded initialisers and our own seeded shuffle per epoch (TF.js's internal shuffle is
 * not seedable), one epoch at a time so progress, early stopping and cancellation happen between
 * epochs. Early stopping restores the weights of the best validation epoch.
 */
async function trainLayersModel(input: TrainInput & { algorithm: TrainedAlgorithm }): Promise<{ model: tf.LayersModel; curves: EpochPoint[] }> {
  const { width } = input;
  const rows = input.y.length;
  const algorithm = { ...input.algorithm, l2: input.algorithm.l2 ?? defaultL2(input.algorithm, rows) };
  const outWidth = outputWidthOf(input.task, input.classCount);
  const model = buildLayersModel(input.task, algorithm, width, input.seed, outWidth);
  const random = seededRandom(input.seed ^ 0x5bd1e995);
  // Multiclass labels are class indices; the softmax learns from them one-hot.
  const targets = (labels: Float32Array) =>
    input.task === 'multiclass_classification' ? tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), outWidth).toFloat()) : tf.tensor2d(labels, [labels.length, 1]);
  const x = tf.tensor2d(input.x, [rows, width]);
  const y = targets(input.y);
  const validationRows = input.yValidation?.length ?? 0;
  const xv = validationRows ? tf.tensor2d(input.xValidation as Float32Array, [validationRows, width]) : null;
  const yv = validationRows ? targets(input.yValidation as Float32Array) : null;
  const validationLoss = { binary_classification: tf.metrics.binaryCrossentropy, multiclass_classification: tf.metrics.categoricalCrossentropy, regression: tf.metrics.meanSquaredError }[input.task];
  const curves: EpochPoint[] = [];
  const patience = algorithm.earlyStopping?.patience;
  const minDelta = algorithm.earlyStopping?.minDelta ?? 0;
  let best = Number.POSITIVE_INFINITY;
  let bestWeights: tf.Tensor[] | null = null;
  let sinceBest = 0;
  let stoppedEarly = false;
  try {
    for (let epoch = 1; epoch <= algorithm.epochs; epoch++) {
      if (input.shouldStop?.()) break;
      const order = tf.tensor1d(permutation(rows, random), 'int32');
      const xs = tf.gather(x, order);
      const ys = tf.gather(y, order);
      const history = await model.fit(xs, ys, { epochs: 1, batchSize: algorithm.batchSize, shuffle: false, verbose: 0 });
      tf.dispose([order, xs, ys]);
      const point: EpochPoint = { epoch, loss: Number(history.history['loss'][0]) };
      if (xv && yv) {
        const predicted = model.predict(xv) as tf.Tensor;
        const valLoss = tf.tidy(() => validationLoss(yv, predicted).mean());
        point.valLoss = (await valLoss.data())[0];
        if (input.validationMetric) {
          const value = input.validationMetric(input.yValidation as Float32Array, (await predicted.data()) as Float32Array);
          if (Number.isFinite(value)) point.valMetric = value;
        }
        tf.dispose([predicted, valLoss]);
      }
      curves.push(point);
      await input.onEpoch?.(point, algorithm.epochs);
      if (patience !== undefined && point.valLoss !== undefined) {
        if (point.valLoss < best - minDelta) {
          best = point.valLoss;
          sinceBest = 0;
          tf.dispose(bestWeights ?? []);
          bestWeights = model.getWeights().map((w) => w.clone());
        } else if (++sinceBest >= patience) {
          stoppedEarly = true;
          break;
        }
      }
    }
    if (stoppedEarly && bestWeights) model.setWeights(bestWeights);
  } finally {
    tf.dispose([x, y, ...(xv ? [xv] : []), ...(yv ? [yv] : []), ...(bestWeights ?? [])]);
  }
  return { model, curves };
}

/** The topology and weights as the `tfjs-layers` part of an `mlp-model/v1` artifact. */
async function serializeLayersModel(model: tf.LayersModel): Promise<SerializedLayers> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!saved?.weightData || !saved.weightSpecs) throw new Error('TF.js did not produce weights');
  const parts = Array.isArray(saved.weightData) ? saved.weightData : [saved.weightData];
  const bytes = Buffer.concat(parts.map((p) => Buffer.from(p as ArrayBuffer)));
  return { kind: 'tfjs-layers', modelTopology: saved.modelTopology, weightSpecs: saved.weightSpecs, weightDataBase64: bytes.toString('base64') };
}

async function loadLayers(serialized: SerializedLayers): Promise<tf.LayersModel> {
  const bytes = Buffer.from(serialized.weightDataBase64, 'base64');
  const weightData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  return tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: serialized.modelTopology as tf.io.ModelArtifacts['modelTopology'], weightSpecs: serialized.weightSpecs as tf.io.WeightsManifestEntry[], weightData }),
  );
}

/** Scores with TF.js in chunks, so a million rows do not need one giant tensor. */
function viaTfjs(model: tf.LayersModel, width: number, outWidth: number, chunk = 16384): (matrix: Float32Array, rows: number) => Float32Array {
  return (matrix, rows) => {
    const out = new Float32Array(rows * outWidth);
    for (let start = 0; start < rows; start += chunk) {
      const n = Math.min(chunk, rows - start);
      const values = tf.tidy(() => (model.predict(tf.tensor2d(matrix.subarray(start * width, (start + n) * width), [n, width])) as tf.Tensor).dataSync());
      out.set(values, start * outWidth);
    }
    return out;
  };
}

/**
 * The predictor of a loaded network: the plain-JS Dense pass when the network is a Dense chain and
 * agrees with TF.js on probe rows (to 1e-5), else TF.js itself.
 */
function predictorOf(model: tf.LayersModel, width: number): Predictor {
  const outShape = model.outputs[0]?.shape ?? [];
  const outWidth = outShape.length === 2 && typeof outShape[1] === 'number' ? outShape[1] : 1;
  const tfjs = viaTfjs(model, width, outWidth);
  const dense = compileDenseStack(model);
  let forward = tfjs;
  let engine = 'tfjs';
  if (dense) {
    const rows = 16;
    const probe = new Float32Array(rows * width).map((_, i) => Math.sin(i * 12.9898) * 3);
    const a = tfjs(probe, rows);
    const b = dense(probe, rows);
    if (a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) <= 1e-5 * Math.max(1, Math.abs(x)))) {
      forward = dense;
      engine = 'dense-js';
    }
  }
  return { engine, outWidth, predict: forward, dispose: () => model.dispose() };
}

/** Logistic/linear regression and MLPs as TF.js layers networks. */
export const tfjsLayersKind: ModelKind = {
  algorithms: ['logistic_regression', 'mlp'],
  artifactKind: 'tfjs-layers',
  platform: 'tensorflowjs_layers',
  async train(input) {
    if (input.algorithm.kind !== 'logistic_regression' && input.algorithm.kind !== 'mlp') throw new Error(`tfjs-layers does not train ${input.algorithm.kind}`);
    const { model, curves } = await trainLayersModel({ ...input, algorithm: input.algorithm });
    return { model: await serializeLayersModel(model), curves, predictor: predictorOf(model, input.width) };
  },
  async load(serialized, inWidth) {
    if (serialized.kind !== 'tfjs-layers') throw new Error(`a ${serialized.kind} model is not a TF.js layers model`);
    const model = await loadLayers(serialized);
    const inputShape = model.inputs[0]?.shape ?? [];
    if (model.inputs.length !== 1 || inputShape.length !== 2 || inputShape[1] !== inWidth) {
      model.dispose();
      throw new Error(`the TF.js model takes ${JSON.stringify(inputShape)} but the preprocessing produces ${inWidth} values`);
    }
    return predictorOf(model, inWidth);
  },
};
