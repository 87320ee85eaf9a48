import { Algorithm, type ModelTask } from '@mlp/contracts';
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../seeded-random';
import { argmaxOf } from '../class-labels';
import { kindForAlgorithm, kindOfArtifact, loadPredictor, MODEL_KINDS } from './model-kinds';

/** A small data set with a real signal: two informative inputs, one noise input. */
function data(task: ModelTask, rows = 300, width = 3) {
  const random = seededRandom(11);
  const x = new Float32Array(rows * width).map(() => random() * 4 - 2);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const z = 1.5 * x[r * width] - 0.8 * x[r * width + 1];
    // multiclass: three classes cut from the same signal
    y[r] = task === 'binary_classification' ? (random() < 1 / (1 + Math.exp(-z)) ? 1 : 0) : task === 'multiclass_classification' ? (z < -1 ? 0 : z < 1 ? 1 : 2) : z + (random() - 0.5) * 0.1;
  }
  return { x, y, width, classCount: task === 'multiclass_classification' ? 3 : undefined };
}

const ALGORITHMS = {
  baseline: { kind: 'baseline' },
  logistic_regression: { kind: 'logistic_regression', epochs: 5, batchSize: 32, learningRate: 0.05 },
  mlp: { kind: 'mlp', hiddenUnits: [6], dropout: 0.2, epochs: 5, batchSize: 32, learningRate: 0.01 },
  random_forest: { kind: 'random_forest', nEstimators: 12, maxDepth: 5 },
  rule: { kind: 'rule', expression: 'a > b ? 0.8 : a - 0.5 * b' },
} as const;

/** The preprocessing of the test data: three numeric inputs a, b, c (a rule names them). */
const preprocessingOf = (width: number) => ({
  features: ['a', 'b', 'c'].slice(0, width).map((name) => ({ kind: 'numeric' as const, name, mean: 0, std: 1, fill: 0, missingIndicator: false })),
  outputWidth: width,
});

describe('model kinds: trained and served by the same code', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('has a kind for every algorithm a spec may name', () => {
    const kinds = (Algorithm.anyOf as Array<{ properties: { kind: { const: string } } }>).map((a) => a.properties.kind.const);
    expect(kinds.sort()).toEqual(Object.keys(ALGORITHMS).sort());
    for (const k of kinds) expect(kindForAlgorithm(k as never).algorithms).toContain(k);
  });

  for (const kind of MODEL_KINDS) {
    for (const algorithm of kind.algorithms) {
      for (const task of kind.tasks ?? (['binary_classification', 'multiclass_classification', 'regression'] as const)) {
        it(`${algorithm} (${task}): the artifact, loaded as serving loads it, predicts exactly what training predicted`, async () => {
          const { x, y, width, classCount } = data(task);
          const outWidth = classCount ?? 1;
          const trained = await kind.train({ task, algorithm: ALGORITHMS[algorithm] as never, seed: 5, width, x, y, classCount, preprocessing: preprocessingOf(width) });
          expect(trained.predictor.outWidth).toBe(outWidth);
          const atTraining = trained.predictor.predict(x, y.length);
          // The artifact goes through JSON, as the registry stores it.
          const model = JSON.parse(JSON.stringify(trained.model));
          expect(kindOfArtifact({ model })).toBe(kind);
          const served = await loadPredictor({ model, preprocessing: { features: [], outputWidth: width } });
          const atServing = served.predict(x, y.length);
          expect(served.outWidth).toBe(outWidth);
          expect(atServing).toHaveLength(y.length * outWidth);
          if (classCount) {
            // one probability per class, summing to 1 in every row
            for (let r = 0; r < y.length; r++) expect(atServing.subarray(r * outWidth, (r + 1) * outWidth).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
          }
          atServing.forEach((v, i) => expect(Math.abs(v - atTraining[i])).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(atTraining[i]))));
          // Not a constant (except the prior): the model read its inputs.
          if (algorithm !== 'baseline') expect(new Set(atServing).size).toBeGreaterThan(1);
          expect(atServing.every(Number.isFinite)).toBe(true);
          trained.predictor.dispose();
          served.dispose();
        });
      }
    }
  }

  it('regularises a logistic regression by default (scikit-learn\'s C = 1), so a small separable table is not fitted to the last row', async () => {
    const rows = 400;
    const x = new Float32Array(rows * 2).map((_, i) => Math.sin(i * 7.1) * 2);
    const y = new Float32Array(rows).map((_, r) => (x[r * 2] + 0.5 * x[r * 2 + 1] > 0 ? 1 : 0));
    const train = (l2?: number) =>
      kindForAlgorithm('logistic_regression').train({ task: 'binary_classification', algorithm: { kind: 'logistic_regression', epochs: 60, batchSize: 32, learningRate: 0.1, ...(l2 === undefined ? {} : { l2 }) }, seed: 3, width: 2, x, y });
    const extremity = (p: Float32Array) => p.reduce((s, v) => s + Math.abs(v - 0.5), 0) / p.length;
    const [byDefault, unpenalised] = [await train(), await train(0)];
    expect(extremity(byDefault.predictor.predict(x, rows))).toBeLessThan(extremity(unpenalised.predictor.predict(x, rows)));
    expect(JSON.stringify(byDefault.model)).toContain('"l2":0.00125');
  });

  it('refuses an artifact model whose width does not match the preprocessing, with the reason', async () => {
    const { x, y, width } = data('binary_classification');
    const trained = await kindForAlgorithm('mlp').train({ task: 'binary_classification', algorithm: ALGORITHMS.mlp as never, seed: 5, width, x, y });
    await expect(loadPredictor({ model: trained.model, preprocessing: { features: [], outputWidth: width + 1 } })).rejects.toThrow(/takes \[null,3\] but the preprocessing produces 4/);
    const baseline = await kindForAlgorithm('baseline').train({ task: 'regression', algorithm: { kind: 'baseline' }, seed: 1, width, x, y });
    await expect(loadPredictor({ model: baseline.model, preprocessing: { features: [], outputWidth: 5 } })).rejects.toThrow(/3 weights for 5 inputs/);
    trained.predictor.dispose();
  });
  it('multiclass baseline answers the training class frequencies for every row', async () => {
    const y = Float32Array.from([0, 0, 1, 2, 2, 2, 2, 2]);
    const trained = await kindForAlgorithm('baseline').train({ task: 'multiclass_classification', algorithm: { kind: 'baseline' }, seed: 1, width: 2, x: new Float32Array(16), y, classCount: 3 });
    const p = trained.predictor.predict(new Float32Array(6), 3);
    expect(Array.from(p).map((v) => Number(v.toFixed(6)))).toEqual([0.25, 0.125, 0.625, 0.25, 0.125, 0.625, 0.25, 0.125, 0.625]);
  });

  it('multiclass logistic regression (softmax) learns three separable classes', async () => {
    const { x, y, width, classCount } = data('multiclass_classification', 600);
    const trained = await kindForAlgorithm('logistic_regression').train({
      task: 'multiclass_classification',
      algorithm: { kind: 'logistic_regression', epochs: 60, batchSize: 32, learningRate: 0.05 },
      seed: 2,
      width,
      x,
      y,
      classCount,
    });
    const p = trained.predictor.predict(x, y.length);
    let right = 0;
    for (let r = 0; r < y.length; r++) if (argmaxOf(p, r, 3) === y[r]) right++;
    // the classes are cuts of one linear signal: a softmax over it gets nearly all right, the prior a third
    expect(right / y.length).toBeGreaterThan(0.9);
    trained.predictor.dispose();
  });
});
