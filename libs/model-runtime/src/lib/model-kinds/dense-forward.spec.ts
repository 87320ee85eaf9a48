import * as tf from '@tensorflow/tfjs';
import { compileDenseStack } from './dense-forward';

describe('compileDenseStack', () => {
  beforeAll(() => tf.setBackend('cpu'));

  it('computes what TF.js computes for a Dense chain', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [5], units: 7, activation: 'relu', kernelInitializer: tf.initializers.randomNormal({ seed: 1 }), biasInitializer: tf.initializers.constant({ value: 0.1 }) }),
        tf.layers.dense({ units: 3, activation: 'tanh', kernelInitializer: tf.initializers.randomNormal({ seed: 2 }) }),
        tf.layers.dense({ units: 1, activation: 'sigmoid', useBias: false, kernelInitializer: tf.initializers.randomNormal({ seed: 3 }) }),
      ],
    });
    const forward = compileDenseStack(model);
    expect(forward).toBeDefined();
    const rows = 9;
    const x = new Float32Array(rows * 5).map((_, i) => Math.cos(i) * 2);
    const expected = tf.tidy(() => (model.predict(tf.tensor2d(x, [rows, 5])) as tf.Tensor).dataSync());
    const got = (forward as (m: Float32Array, r: number) => Float32Array)(x, rows);
    expect(got).toHaveLength(rows);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    model.dispose();
  });

  it('serves a trained MLP with dropout (the identity at inference) as TF.js does', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 6, activation: 'relu', kernelInitializer: tf.initializers.randomNormal({ seed: 4 }) }),
        tf.layers.dropout({ rate: 0.5 }),
        tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.randomNormal({ seed: 5 }) }),
      ],
    });
    const forward = compileDenseStack(model) as (m: Float32Array, r: number) => Float32Array;
    expect(forward).toBeDefined();
    const x = new Float32Array(7 * 4).map((_, i) => Math.sin(i) * 3);
    const expected = tf.tidy(() => (model.predict(tf.tensor2d(x, [7, 4])) as tf.Tensor).dataSync());
    forward(x, 7).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    model.dispose();
  });

  it('declines models with other layers or activations', () => {
    const withNorm = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 }), tf.layers.batchNormalization(), tf.layers.dense({ units: 1 })] });
    const withSoftplus = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: 'softplus' })] });
    expect(compileDenseStack(withNorm)).toBeUndefined();
    expect(compileDenseStack(withSoftplus)).toBeUndefined();
    withNorm.dispose();
    withSoftplus.dispose();
  });
  it('computes a softmax output layer (multiclass) as TF.js does, rows summing to 1', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 5, activation: 'tanh', kernelInitializer: tf.initializers.randomNormal({ seed: 6 }) }),
        tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.randomNormal({ seed: 7, stddev: 3 }) }),
      ],
    });
    const forward = compileDenseStack(model) as (m: Float32Array, r: number) => Float32Array;
    expect(forward).toBeDefined();
    const x = new Float32Array(6 * 4).map((_, i) => Math.sin(i * 1.7) * 4);
    const expected = tf.tidy(() => (model.predict(tf.tensor2d(x, [6, 4])) as tf.Tensor).dataSync());
    const got = forward(x, 6);
    expect(got).toHaveLength(18);
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 6));
    for (let r = 0; r < 6; r++) expect(got[3 * r] + got[3 * r + 1] + got[3 * r + 2]).toBeCloseTo(1, 6);
    model.dispose();
  });
});
