import type { ModelTask } from '@mlp/contracts';

export interface BaselineModel {
  kind: 'baseline';
  intercept: number;
  weights: number[];
  link: 'identity' | 'logit';
}

const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/**
 * The proof of concept every model must beat: the training prior (classification, through the
 * logit link) or the training mean (regression), with zero weights over the model vector.
 */
export function fitBaseline(task: ModelTask, labels: ArrayLike<number>, width: number): BaselineModel {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += labels[i];
  const mean = labels.length ? sum / labels.length : 0;
  const weights = new Array<number>(width).fill(0);
  if (task === 'regression') return { kind: 'baseline', intercept: mean, weights, link: 'identity' };
  const prior = Math.min(1 - 1e-6, Math.max(1e-6, mean));
  return { kind: 'baseline', intercept: logit(prior), weights, link: 'logit' };
}

/** Scores a row-major matrix with a baseline (or any linear rule in the baseline format). */
export function predictBaseline(model: BaselineModel, matrix: Float32Array, width: number): Float32Array {
  const rows = width ? matrix.length / width : 0;
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let z = model.intercept;
    for (let c = 0; c < model.weights.length && c < width; c++) z += model.weights[c] * matrix[r * width + c];
    out[r] = model.link === 'logit' ? sigmoid(z) : z;
  }
  return out;
}
