import * as tf from '@tensorflow/tfjs';
import { RandomForestClassifier, RandomForestRegression } from 'ml-random-forest';
import { seededRandom } from '../seeded-random';
import { ModelSpecError } from './model-kind';
import { kindForAlgorithm, loadPredictor } from './model-kinds';
import { flatten, float32AtOrAbove, forestPredictor, MAX_FOREST_NODES, treeEnsembleKindWith } from './tree-ensemble';

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

const toRows = (x: Float32Array, rows: number, width: number) => Array.from({ length: rows }, (_, r) => Array.from(x.subarray(r * width, (r + 1) * width)));
const asFlat = (f: ReturnType<typeof flatten>) => ({ treeSizes: f.treeSizes, feature: Int32Array.from(f.feature), value: Float32Array.from(f.value) });

describe('tree ensemble (random forest)', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('float32AtOrAbove keeps every split: x < t exactly when x < the stored float32 threshold', () => {
    const random = seededRandom(4);
    const wrong: number[][] = [];
    for (let k = 0; k < 20000; k++) {
      const a = Math.fround((random() - 0.5) * 10 ** Math.floor(random() * 8 - 4));
      const b = Math.fround(a + (random() < 0.5 ? 1e-7 : random()) * Math.abs(a || 1));
      const t = (a + b) / 2;
      const stored = float32AtOrAbove(t);
      if (Math.fround(stored) !== stored) wrong.push([t, stored]);
      for (const x of [a, b, Math.fround(t), stored]) if (x < stored !== x < t) wrong.push([x, t, stored]);
    }
    expect(wrong).toEqual([]);
  });

  it('its flat trees answer what the library\'s own trees answer (regression: the mean of the trees)', () => {
    const rows = 300;
    const width = 4;
    const random = seededRandom(9);
    const x = new Float32Array(rows * width).map(() => random() * 4 - 2);
    const y = Array.from({ length: rows }, (_, r) => x[r * width] * x[r * width + 1] + Math.sin(3 * x[r * width + 2]) + random() * 0.1);
    const forest = new RandomForestRegression({ nEstimators: 15, seed: 3, maxFeatures: 3, replacement: false, noOOB: true, treeOptions: { maxDepth: 6, minNumSamples: 4, gainThreshold: -1 } });
    forest.train(toRows(x, rows, width), y);
    const expected = forest.predict(toRows(x, rows, width));
    const got = forestPredictor(asFlat(flatten(forest as never)), width).predict(x, rows);
    got.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(expected[i]))));
    expect(new Set(expected).size).toBeGreaterThan(20);
  });

  it('a classification tree\'s leaf share agrees with the library\'s vote of that tree on every row', () => {
    const { x, y, width } = xorData(400, 3, 21);
    for (const seed of [1, 2, 3]) {
      const tree = new RandomForestClassifier({ nEstimators: 1, seed, maxFeatures: 1, replacement: false, noOOB: true, treeOptions: { maxDepth: 7, minNumSamples: 4, gainThreshold: 0 } });
      tree.train(toRows(x, 400, width), Array.from(y));
      const votes = tree.predict(toRows(x, 400, width));
      const shares = forestPredictor(asFlat(flatten(tree as never)), width).predict(x, 400);
      shares.forEach((s, i) => expect(s > 0.5 ? 1 : 0).toBe(votes[i]));
      expect(new Set(votes).size).toBe(2);
    }
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
