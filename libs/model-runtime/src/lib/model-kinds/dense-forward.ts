import type * as tf from '@tensorflow/tfjs';

type Activation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';

interface DenseLayer {
  inWidth: number;
  outWidth: number;
  /** Row-major [in, out], as TF.js stores a Dense kernel. */
  kernel: Float32Array;
  bias?: Float32Array;
  activation: Activation;
}

const ACTIVATIONS = new Set<string>(['linear', 'relu', 'sigmoid', 'tanh', 'softmax']);

/** Softmax over `n` logits at `at`, in place, shifted by the largest so no exponent overflows (as TF.js does). */
function softmaxRow(values: Float32Array, at: number, n: number): void {
  let max = -Infinity;
  for (let o = 0; o < n; o++) if (values[at + o] > max) max = values[at + o];
  let sum = 0;
  for (let o = 0; o < n; o++) sum += values[at + o] = Math.exp(values[at + o] - max);
  for (let o = 0; o < n; o++) values[at + o] /= sum;
}

/**
 * A plain-JS forward pass for models that are a chain of Dense layers, with Dropout between them
 * (logistic regression, the platform's MLPs). TF.js's cpu backend spends most of a small prediction in its engine (tensor
 * bookkeeping, tidy scopes), not in arithmetic; this path does only the arithmetic. Returns
 * undefined for anything else, which then runs on TF.js. The caller checks both agree at warm-up.
 */
export function compileDenseStack(model: tf.LayersModel): ((matrix: Float32Array, rows: number) => Float32Array) | undefined {
  const layers: DenseLayer[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    // Dropout is the identity at inference: the platform's MLPs train with it and serve without it.
    if (cls === 'InputLayer' || cls === 'Dropout') continue;
    if (cls !== 'Dense') return undefined;
    const config = layer.getConfig() as { activation?: string; useBias?: boolean };
    const activation = config.activation ?? 'linear';
    if (!ACTIVATIONS.has(activation)) return undefined;
    const weights = layer.getWeights();
    const kernel = weights[0];
    if (!kernel || kernel.shape.length !== 2) return undefined;
    layers.push({
      inWidth: kernel.shape[0] as number,
      outWidth: kernel.shape[1] as number,
      kernel: kernel.dataSync() as Float32Array,
      bias: config.useBias === false ? undefined : (weights[1]?.dataSync() as Float32Array | undefined),
      activation: activation as Activation,
    });
  }
  if (layers.length === 0) return undefined;
  for (let i = 1; i < layers.length; i++) if (layers[i].inWidth !== layers[i - 1].outWidth) return undefined;
  return (matrix, rows) => {
    let input = matrix;
    for (const l of layers) {
      const out = new Float32Array(rows * l.outWidth);
      for (let r = 0; r < rows; r++) {
        const inBase = r * l.inWidth;
        const outBase = r * l.outWidth;
        for (let o = 0; o < l.outWidth; o++) {
          let z = l.bias ? l.bias[o] : 0;
          for (let i = 0; i < l.inWidth; i++) z += input[inBase + i] * l.kernel[i * l.outWidth + o];
          out[outBase + o] = l.activation === 'relu' ? (z > 0 ? z : 0) : l.activation === 'sigmoid' ? 1 / (1 + Math.exp(-z)) : l.activation === 'tanh' ? Math.tanh(z) : z;
        }
        if (l.activation === 'softmax') softmaxRow(out, outBase, l.outWidth);
      }
      input = out;
    }
    return input;
  };
}
