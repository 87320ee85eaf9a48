import type { Algorithm, EpochPoint, ModelTask } from '@mlp/contracts';
import { seededRandom } from '../seeded-random';
import { binColumns, growTree } from './histogram-cart';
import { ModelSpecError, type ArtifactModel, type ModelKind, type Predictor, type TrainInput } from './model-kind';

type ForestAlgorithm = Extract<Algorithm, { kind: 'random_forest' }>;
type TreeEnsembleModel = Extract<ArtifactModel, { kind: 'tree-ensemble' }>;

/** Defaults when a spec leaves them out: bounded training time and artifact size. */
export const FOREST_DEFAULTS = { nEstimators: 100, maxDepth: 8, maxFeatures: 1, minSamplesSplit: 10 } as const;
/** Trees trained per step: progress, the curve and cancellation happen between steps. */
const TREES_PER_STEP = 10;
/**
 * Most nodes a served forest may have (8 bytes each, about 11 as base64): an artifact travels to
 * model-serving in one transport message, which NATS limits to 1 MB by default.
 */
export const MAX_FOREST_NODES = 60_000;

/** Trees flattened in preorder: `feature[i]` is the split column (-1 for a leaf), `value[i]` the threshold or leaf value. */
export interface FlatForest {
  treeSizes: number[];
  feature: Int32Array;
  value: Float32Array;
}

/**
 * The right child of every split node (its left child is the next node), and a check that each
 * tree's preorder is complete and within its size; throws with the reason otherwise.
 */
function rightChildren(forest: FlatForest, width: number): { roots: Int32Array; right: Int32Array } {
  const { feature, value, treeSizes } = forest;
  const right = new Int32Array(feature.length);
  const roots = new Int32Array(treeSizes.length);
  let at = 0;
  treeSizes.forEach((size, t) => {
    roots[t] = at;
    const end = at + size;
    // Iterative preorder walk: each split's right subtree starts where its left subtree ends.
    const pending: number[] = [];
    let i = at;
    for (;;) {
      if (i >= end) throw new Error(`tree ${t} is incomplete: its nodes end before its leaves`);
      if (!Number.isFinite(value[i])) throw new Error(`node ${i} has a non-finite value`);
      if (feature[i] >= 0) {
        if (feature[i] >= width) throw new Error(`node ${i} splits on column ${feature[i]} but the preprocessing produces ${width} values`);
        pending.push(i);
        i++;
      } else {
        if (feature[i] !== -1) throw new Error(`node ${i} has feature ${feature[i]}`);
        i++;
        const parent = pending.pop();
        if (parent === undefined) break;
        right[parent] = i;
      }
    }
    if (i !== end) throw new Error(`tree ${t} has ${size} nodes but its preorder ends after ${i - at}`);
    at = end;
  });
  if (at !== feature.length) throw new Error(`the trees have ${at} nodes but the arrays hold ${feature.length}`);
  return { roots, right };
}

/** Scores by walking every tree; the mean of the leaves reached (float64 sum, one division). */
export function forestPredictor(forest: FlatForest, width: number): Predictor {
  const { feature, value } = forest;
  const { roots, right } = rightChildren(forest, width);
  const trees = roots.length;
  return {
    engine: 'trees-js',
    outWidth: 1,
    predict(matrix, rows) {
      const out = new Float32Array(rows);
      for (let r = 0; r < rows; r++) {
        const base = r * width;
        let sum = 0;
        for (let t = 0; t < trees; t++) {
          let i = roots[t];
          while (feature[i] >= 0) i = matrix[base + feature[i]] < value[i] ? i + 1 : right[i];
          sum += value[i];
        }
        out[r] = sum / trees;
      }
      return out;
    },
    dispose: () => undefined,
  };
}

function encode(forest: FlatForest): TreeEnsembleModel {
  const features = Buffer.alloc(forest.feature.length * 4);
  const values = Buffer.alloc(forest.value.length * 4);
  forest.feature.forEach((f, i) => features.writeInt32LE(f, i * 4));
  forest.value.forEach((v, i) => values.writeFloatLE(v, i * 4));
  return { kind: 'tree-ensemble', treeSizes: forest.treeSizes, featuresBase64: features.toString('base64'), valuesBase64: values.toString('base64') };
}

function decode(model: TreeEnsembleModel): FlatForest {
  const features = Buffer.from(model.featuresBase64, 'base64');
  const values = Buffer.from(model.valuesBase64, 'base64');
  if (features.length % 4 || values.length !== features.length) throw new Error(`the tree ensemble has ${features.length} bytes of features and ${values.length} of values`);
  const n = features.length / 4;
  const feature = new Int32Array(n);
  const value = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    feature[i] = features.readInt32LE(i * 4);
    value[i] = values.readFloatLE(i * 4);
  }
  return { treeSizes: model.treeSizes, feature, value };
}

/**
 * The columns a tree may split on: `share` of the model vector's columns (at least one), drawn
 * without replacement by a partial Fisher-Yates shuffle, in ascending order.
 */
function drawColumns(share: number, width: number, random: () => number): number[] {
  const count = Math.min(width, Math.max(1, Math.round(share * width)));
  const all = Array.from({ length: width }, (_, c) => c);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (width - i));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, count).sort((p, q) => p - q);
}

function lossOf(task: ModelTask, labels: Float32Array, sums: Float64Array, trees: number): number {
  let loss = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = sums[i] / trees;
    if (task === 'binary_classification') {
      const q = Math.min(1 - 1e-7, Math.max(1e-7, p));
      loss -= labels[i] * Math.log(q) + (1 - labels[i]) * Math.log(1 - q);
    } else loss += (p - labels[i]) ** 2;
  }
  return labels.length ? loss / labels.length : 0;
}

/**
 * Trains the forest with the runtime's histogram CART (./histogram-cart) in steps of TREES_PER_STEP
 * trees: the columns are binned once, then each tree draws its columns (a `maxFeatures` share) and
 * a bootstrap sample of the rows (n draws with replacement) from one generator seeded by the spec's
 * seed (same data + seed = same trees). The curve has a point per step: the loss of the forest so
 * far on the training rows and, with a validation part, on it with the primary metric.
 */
async function trainForest(input: TrainInput & { algorithm: ForestAlgorithm }, maxNodes: number): Promise<FlatForest & { curves: EpochPoint[] }> {
  const a = { ...FOREST_DEFAULTS, ...input.algorithm };
  const { width, task } = input;
  const rows = input.y.length;
  if (rows === 0) throw new Error('a forest needs at least one training row');
  const y = Float64Array.from(input.y, (v) => (task === 'binary_classification' ? (v >= 0.5 ? 1 : 0) : v));
  const binned = binColumns(input.x, rows, width);
  const treeOptions = { maxDepth: a.maxDepth, minSamplesSplit: a.minSamplesSplit };
  const steps = Math.ceil(a.nEstimators / TREES_PER_STEP);
  const random = seededRandom(input.seed ^ 0x2545f491);
  const feature: number[] = [];
  const value: number[] = [];
  const treeSizes: number[] = [];
  const curves: EpochPoint[] = [];
  const trainSums = new Float64Array(rows);
  const validationRows = input.yValidation?.length ?? 0;
  const validationSums = new Float64Array(validationRows);
  const sample = new Int32Array(rows);
  for (let step = 1; step <= steps; step++) {
    if (input.shouldStop?.()) break;
    const nEstimators = Math.min(TREES_PER_STEP, a.nEstimators - (step - 1) * TREES_PER_STEP);
    const part = { feature: [] as number[], value: [] as number[] };
    const partSizes: number[] = [];
    for (let t = 0; t < nEstimators; t++) {
      const columns = drawColumns(a.maxFeatures, width, random);
      for (let i = 0; i < rows; i++) sample[i] = Math.floor(random() * rows);
      const before = part.feature.length;
      growTree(binned, y, sample, columns, treeOptions, part);
      partSizes.push(part.feature.length - before);
    }
    const partial: FlatForest = { treeSizes: partSizes, feature: Int32Array.from(part.feature), value: Float32Array.from(part.value) };
    for (const f of part.feature) feature.push(f);
    for (const v of part.value) value.push(v);
    treeSizes.push(...partSizes);
    if (feature.length > maxNodes) {
      throw new ModelSpecError(`the forest grew past ${maxNodes} nodes after ${treeSizes.length} trees, too large to serve; lower nEstimators or maxDepth, or raise minSamplesSplit`, 'FOREST_TOO_LARGE');
    }
    // Sums of the new trees' outputs (their mean times their count) for the curve.
    const stepPredictor = forestPredictor(partial, width);
    const addTo = (sums: Float64Array, matrix: Float32Array, n: number) => stepPredictor.predict(matrix, n).forEach((p, i) => (sums[i] += p * nEstimators));
    addTo(trainSums, input.x, rows);
    const point: EpochPoint = { epoch: step, loss: lossOf(task, input.y, trainSums, treeSizes.length) };
    if (input.xValidation && input.yValidation && validationRows) {
      addTo(validationSums, input.xValidation, validationRows);
      point.valLoss = lossOf(task, input.yValidation, validationSums, treeSizes.length);
      if (input.validationMetric) point.valMetric = input.validationMetric(input.yValidation, Float32Array.from(validationSums, (s) => s / treeSizes.length));
    }
    curves.push(point);
    await input.onEpoch?.(point, steps);
  }
  if (treeSizes.length === 0) throw new Error('training stopped before the first tree');
  return { treeSizes, feature: Int32Array.from(feature), value: Float32Array.from(value), curves };
}

/**
 * Random forests (the runtime's histogram CART, ./histogram-cart), stored and served as flat trees by the runtime's own walker;
 * a forest of more than `maxNodes` nodes fails with FOREST_TOO_LARGE.
 */
export const treeEnsembleKindWith = (maxNodes: number): ModelKind => ({
  algorithms: ['random_forest'],
  tasks: ['binary_classification', 'regression'],
  artifactKind: 'tree-ensemble',
  platform: 'mlp_tree_ensemble',
  async train(input) {
    if (input.algorithm.kind !== 'random_forest') throw new Error(`the tree ensemble does not train ${input.algorithm.kind}`);
    const { curves, ...forest } = await trainForest({ ...input, algorithm: input.algorithm }, maxNodes);
    const model = encode(forest);
    // The trainer scores with what the artifact holds, decoded as serving decodes it.
    return { model, curves, predictor: forestPredictor(decode(model), input.width) };
  },
  async load(model, inWidth) {
    if (model.kind !== 'tree-ensemble') throw new Error(`a ${model.kind} model is not a tree ensemble`);
    return forestPredictor(decode(model), inWidth);
  },
});

export const treeEnsembleKind = treeEnsembleKindWith(MAX_FOREST_NODES);
