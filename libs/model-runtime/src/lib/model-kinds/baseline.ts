import type { ModelTask } from '@mlp/contracts';
import { outputWidthOf, type ArtifactModel, type ModelKind, type Predictor } from './model-kind';

type BaselineModel = Extract<ArtifactModel, { kind: 'baseline' }>;

const logit = (p: number) => Math.log(p / (1 - p));
const clip = (p: number) => Math.min(1 - 1e-6, Math.max(1e-6, p));

/**
 * The proof of concept every model must beat: the training prior (classification, through the
 * logit link), the class frequencies (multiclass, as log frequencies through a softmax) or the
 * training mean (regression), with zero weights over the model vector.
 */
export function fitBaseline(task: ModelTask, labels: ArrayLike<number>, width: number, classCount?: number): BaselineModel {
  if (task === 'multiclass_classification') {
    const counts = new Array<number>(outputWidthOf(task, classCount)).fill(0);
    for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
    const intercepts = counts.map((c) => Math.log(clip(labels.length ? c / labels.length : 1 / counts.length)));
    return { kind: 'baseline', intercept: 0, weights: [], link: 'softmax', intercepts };
  }
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += labels[i];
  const mean = labels.length ? sum / labels.length : 0;
  const weights = new Array<number>(width).fill(0);
  if (task === 'regression') return { kind: 'baseline', intercept: mean, weights, link: 'identity' };
  return { kind: 'baseline', intercept: logit(clip(mean)), weights, link: 'logit' };
}

/** Softmax of logits into `out` at `at`, shifted by the largest logit so no exponent overflows. */
function softmaxInto(logits: readonly number[], out: Float32Array, at: number): void {
  const max = Math.max(...logits);
  let sum = 0;
  for (const z of logits) sum += Math.exp(z - max);
  for (let k = 0; k < logits.length; k++) out[at + k] = Math.exp(logits[k] - max) / sum;
}

/** A linear rule over the model vector (intercept + weights, identity or logit link), or a class prior (softmax), as a predictor. */
function linearPredictor(model: BaselineModel, width: number): Predictor {
  const { intercept, weights, link } = model;
  if (link === 'softmax') {
    const logits = model.intercepts ?? [];
    const k = logits.length;
    return {
      engine: 'linear',
      outWidth: k,
      predict(_matrix, rows) {
        const out = new Float32Array(rows * k);
        softmaxInto(logits, out, 0);
        for (let r = 1; r < rows; r++) out.copyWithin(r * k, 0, k);
        return out;
      },
      dispose: () => undefined,
    };
  }
  return {
    engine: 'linear',
    outWidth: 1,
    predict(matrix, rows) {
      const out = new Float32Array(rows);
      for (let r = 0; r < rows; r++) {
        let z = intercept;
        for (let j = 0; j < weights.length; j++) z += weights[j] * matrix[r * width + j];
        out[r] = link === 'logit' ? 1 / (1 + Math.exp(-z)) : z;
      }
      return out;
    },
    dispose: () => undefined,
  };
}

/** The prior/mean baseline: trained from the labels alone, stored as a linear rule (or a class prior). */
export const baselineKind: ModelKind = {
  algorithms: ['baseline'],
  artifactKind: 'baseline',
  platform: 'mlp_baseline',
  async train(input) {
    const model = fitBaseline(input.task, input.y, input.width, input.classCount);
    return { model, curves: [], predictor: linearPredictor(model, input.width) };
  },
  async load(model, inWidth) {
    if (model.kind !== 'baseline') throw new Error(`a ${model.kind} model is not a baseline`);
    if (model.link === 'softmax') {
      if (!model.intercepts || model.intercepts.length < 2 || model.weights.length !== 0) throw new Error('a softmax baseline needs one intercept per class (at least 2) and no weights');
    } else if (model.weights.length !== 0 && model.weights.length !== inWidth) throw new Error(`baseline has ${model.weights.length} weights for ${inWidth} inputs`);
    return linearPredictor(model, inWidth);
  },
};
