import type { ModelTask } from '@mlp/contracts';
import type { ArtifactModel, ModelKind, Predictor } from './model-kind';

type BaselineModel = Extract<ArtifactModel, { kind: 'baseline' }>;

const logit = (p: number) => Math.log(p / (1 - p));

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

/** A linear rule over the model vector (intercept + weights, identity or logit link) as a predictor. */
function linearPredictor(model: BaselineModel, width: number): Predictor {
  const { intercept, weights, link } = model;
  return {
    engine: 'linear',
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

/** The prior/mean baseline: trained from the labels alone, stored as a linear rule. */
export const baselineKind: ModelKind = {
  algorithms: ['baseline'],
  artifactKind: 'baseline',
  platform: 'mlp_baseline',
  async train(input) {
    const model = fitBaseline(input.task, input.y, input.width);
    return { model, curves: [], predictor: linearPredictor(model, input.width) };
  },
  async load(model, inWidth) {
    if (model.kind !== 'baseline') throw new Error(`a ${model.kind} model is not a baseline`);
    if (model.weights.length !== 0 && model.weights.length !== inWidth) throw new Error(`baseline has ${model.weights.length} weights for ${inWidth} inputs`);
    return linearPredictor(model, inWidth);
  },
};
