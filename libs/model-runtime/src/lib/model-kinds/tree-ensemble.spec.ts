import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../seeded-random';
import { ModelSpecError } from './model-kind';
import { kindForAlgorithm, loadPredictor } from './model-kinds';
import { MAX_FOREST_NODES, treeEnsembleKindWith } from './tree-ensemble';

/** AUC by brute force over every (positive, negative) pair; ties count half. */
function pairwiseAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

/** Rows of `width` uniform inputs in [-1, 1]; the label is an XOR of the first two (sign agreement), 10 % flipped. */
function xorData(rows: number, width: number, seed: number) {
  const random = seededRandom(seed);
  const x = new Float32Array(rows * width).map(() => random() * 2 - 1);
  const y = new Float32Array(rows).map((_, r) => (x[r * width] * x[r * width + 1] > 0 !== random() < 0.1 ? 1 : 0));
  return { x, y, width };
}

/** The artifact's trees as arrays: each tree's preorder columns and values, decoded independently of the runtime. */
function treesOf(model: { treeSizes: number[]; featuresBase64: string; valuesBase64: string }) {
  const features = Buffer.from(model.featuresBase64, 'base64');
  const values = Buffer.from(model.valuesBase64, 'base64');
  let at = 0;
  return model.treeSizes.map((size) => {
    const tree = { feature: [] as number[], value: [] as number[] };
    for (let i = at; i < at + size; i++) {
      tree.feature.push(features.readInt32LE(i * 4));
      tree.value.push(values.readFloatLE(i * 4));
    }
    at += size;
    return tree;
  });
}

/** One tree evaluated recursively on a row: a split sends x < threshold to the next node, else past the left subtree. */
function evaluate(tree: { feature: number[]; value: number[] }, row: ArrayLike<number>): number {
  const end = (i: number): number => (tree.feature[i] < 0 ? i + 1 : end(end(i + 1)));
  const at = (i: number): number => (tree.feature[i] < 0 ? tree.value[i] : at(row[tree.feature[i]] < tree.value[i] ? i + 1 : end(i + 1)));
  return at(0);
}

describe('tree ensemble (random forest)', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('scores the mean of its trees, each evaluated by brute force on the raw rows (regression)', async () => {
    const rows = 300;
    const width = 4;
    const random = seededRandom(9);
    const x = new Float32Array(rows * width).map(() => random() * 4 - 2);
    const y = Float32Array.from({ length: rows }, (_, r) => x[r * width] * x[r * width + 1] + Math.sin(3 * x[r * width + 2]) + random() * 0.1);
    const trained = await kindForAlgorithm('random_forest').train({ task: 'regression', algorithm: { kind: 'random_forest', nEstimators: 15, maxDepth: 6, maxFeatures: 0.75, minSamplesSplit: 5 }, seed: 3, x, y, width });
    if (trained.model.kind !== 'tree-ensemble') throw new Error('not a tree ensemble');
    const trees = treesOf(trained.model);
    expect(trees).toHaveLength(15);
    const got = trained.predictor.predict(x, rows);
    const expected = Array.from({ length: rows }, (_, r) => trees.reduce((s, t) => s + evaluate(t, x.subarray(r * width, (r + 1) * width)), 0) / trees.length);
    got.forEach((v, i) => expect(v).toBe(Math.fround(expected[i])));
    expect(new Set(expected).size).toBeGreaterThan(20);
    // maxFeatures 0.75 of 4 columns: every tree splits on at most 3 of them, and the trees differ in which.
    const used = trees.map((t) => [...new Set(t.feature.filter((f) => f >= 0))].sort().join());
    used.forEach((u) => expect(u.split(',').length).toBeLessThanOrEqual(3));
    expect(new Set(used).size).toBeGreaterThan(1);
    // A regression forest fits the training rows far better than their mean does.
    const mse = (p: ArrayLike<number>) => Array.from(y).reduce((s, v, i) => s + (v - p[i]) ** 2, 0) / rows;
    const mean = y.reduce((s, v) => s + v, 0) / rows;
    expect(mse(got)).toBeLessThan(0.3 * mse(new Float32Array(rows).fill(mean)));
  });

  it('a binary forest scores class-1 shares in [0, 1] and each leaf of a deep unconstrained tree is pure on its bootstrap rows', async () => {
    const { x, y, width } = xorData(400, 3, 21);
    const trained = await kindForAlgorithm('random_forest').train({ task: 'binary_classification', algorithm: { kind: 'random_forest', nEstimators: 1, maxDepth: 16, minSamplesSplit: 2 }, seed: 2, x, y, width });
    if (trained.model.kind !== 'tree-ensemble') throw new Error('not a tree ensemble');
    const [tree] = treesOf(trained.model);
    tree.value.forEach((v, i) => tree.feature[i] < 0 && expect([0, 1]).toContain(v));
    // Rows in the bootstrap sample get their label back; about 63 % of rows are in it.
    const scores = trained.predictor.predict(x, 400);
    const right = Array.from(scores).filter((s, i) => s === y[i]).length;
    expect(right).toBeGreaterThan(0.6 * 400);
  });

  it('learns an interaction a logistic regression cannot: AUC on held-out XOR data far above the linear model\'s', async () => {
    const train = xorData(600, 4, 1);
    const test = xorData(500, 4, 2);
    const forest = await kindForAlgorithm('random_forest').train({ task: 'binary_classification', algorithm: { kind: 'random_forest', nEstimators: 20, maxDepth: 6 }, seed: 7, ...train });
    const linear = await kindForAlgorithm('logistic_regression').train({
      task: 'binary_classification',
      algorithm: { kind: 'logistic_regression', epochs: 30, batchSize: 64, learningRate: 0.05 },
      seed: 7,
      ...train,
    });
    const forestAuc = pairwiseAuc(test.y, forest.predictor.predict(test.x, 500));
    const linearAuc = pairwiseAuc(test.y, linear.predictor.predict(test.x, 500));
    // The Bayes AUC with 10 % flipped labels is about 0.9.
    expect(forestAuc).toBeGreaterThan(0.85);
    expect(linearAuc).toBeLessThan(0.6);
    linear.predictor.dispose();
  });

  it('is deterministic in the seed: the same seed gives the same artifact, another seed other trees', async () => {
    const data = xorData(300, 3, 5);
    const train = (seed: number) => kindForAlgorithm('random_forest').train({ task: 'binary_classification', algorithm: { kind: 'random_forest', nEstimators: 12 }, seed, ...data });
    const [a, b, c] = [await train(11), await train(11), await train(12)];
    expect(JSON.stringify(a.model)).toBe(JSON.stringify(b.model));
    expect(JSON.stringify(a.model)).not.toBe(JSON.stringify(c.model));
    expect(a.curves).toHaveLength(2);
  });

  it('reports progress per step of trees with the validation metric, and stops between steps when asked', async () => {
    const data = xorData(300, 3, 6);
    const validation = xorData(100, 3, 7);
    const points: number[] = [];
    let steps = 0;
    const trained = await kindForAlgorithm('random_forest').train({
      task: 'binary_classification',
      algorithm: { kind: 'random_forest', nEstimators: 40 },
      seed: 1,
      ...data,
      xValidation: validation.x,
      yValidation: validation.y,
      validationMetric: (labels, predictions) => pairwiseAuc(labels, predictions),
      onEpoch: (p) => void points.push(p.valMetric as number),
      shouldStop: () => ++steps > 2,
    });
    expect(points).toHaveLength(2);
    points.forEach((m) => expect(m).toBeGreaterThan(0.7));
    expect(trained.model.kind === 'tree-ensemble' && trained.model.treeSizes).toHaveLength(20);
  });

  it('refuses a forest too large to serve with FOREST_TOO_LARGE, and an artifact with a column outside the preprocessing', async () => {
    const data = xorData(300, 2, 8);
    // The served kind's limit keeps a forest's base64 well under a 1 MB transport message; a small one here.
    expect(MAX_FOREST_NODES * 8 * (4 / 3)).toBeLessThan(700_000);
    const big = treeEnsembleKindWith(200).train({ task: 'binary_classification', algorithm: { kind: 'random_forest', nEstimators: 50, maxDepth: 16, minSamplesSplit: 2 }, seed: 1, ...data });
    await expect(big).rejects.toThrow(ModelSpecError);
    await expect(big).rejects.toMatchObject({ code: 'FOREST_TOO_LARGE' });
    const small = await kindForAlgorithm('random_forest').train({ task: 'regression', algorithm: { kind: 'random_forest', nEstimators: 3 }, seed: 1, ...data });
    await expect(loadPredictor({ model: small.model, preprocessing: { features: [], outputWidth: 1 } })).rejects.toThrow(/splits on column 1 but the preprocessing produces 1 values/);
    const truncated = { ...small.model, treeSizes: [1, 1, 1] };
    await expect(loadPredictor({ model: truncated, preprocessing: { features: [], outputWidth: 2 } })).rejects.toThrow(/tree 0/);
  });
});
