import { Algorithm, type ModelTask } from '@mlp/contracts';
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../seeded-random';
import { kindForAlgorithm, kindOfArtifact, loadPredictor, MODEL_KINDS } from './model-kinds';

/** A small data set with a real signal: two informative inputs, one noise input. */
function data(task: ModelTask, rows = 300, width = 3) {
  const random = seededRandom(11);
  const x = new Float32Array(rows * width).map(() => random() * 4 - 2);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const z = 1.5 * x[r * width] - 0.8 * x[r * width + 1];
    y[r] = task === 'binary_classification' ? (random() < 1 / (1 + Math.exp(-z)) ? 1 : 0) : z + (random() - 0.5) * 0.1;
  }
  return { x, y, width };
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
      for (const task of ['binary_classification', 'regression'] as const) {
        it(`${algorithm} (${task}): the artifact, loaded as serving loads it, predicts exactly what training predicted`, async () => {
          const { x, y, width } = data(task);
          const trained = await kind.train({ task, algorithm: ALGORITHMS[algorithm] as never, seed: 5, width, x, y, preprocessing: preprocessingOf(width) });
          const atTraining = trained.predictor.predict(x, y.length);
          // The artifact goes through JSON, as the registry stores it.
          const model = JSON.parse(JSON.stringify(trained.model));
          expect(kindOfArtifact({ model })).toBe(kind);
          const served = await loadPredictor({ model, preprocessing: { features: [], outputWidth: width } });
          const atServing = served.predict(x, y.length);
          expect(atServing).toHaveLength(y.length);
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
});
