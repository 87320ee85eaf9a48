import type { ModelTask, PrimaryMetric } from '@mlp/contracts';
import { argmaxOf } from '@mlp/model-runtime';

const EPS = 1e-15;

/**
 * Area under the ROC curve via the Mann-Whitney U statistic with average ranks, so tied scores
 * count one half (a constant model scores exactly 0.5). NaN when only one class is present.
 */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSumPositives = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] >= 0.5) {
        positives++;
        rankSumPositives += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSumPositives - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean binary cross-entropy; probabilities are clipped so one confident mistake is large, not infinite. */
export function logLoss(labels: ArrayLike<number>, probabilities: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - EPS, Math.max(EPS, probabilities[i]));
    sum += labels[i] >= 0.5 ? -Math.log(p) : -Math.log(1 - p);
  }
  return labels.length ? sum / labels.length : Number.NaN;
}

/** F1 of the positive class at a probability threshold (0 when nothing is predicted or present). */
export function f1(labels: ArrayLike<number>, probabilities: ArrayLike<number>, threshold = 0.5): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < labels.length; i++) {
    const predicted = probabilities[i] >= threshold;
    const actual = labels[i] >= 0.5;
    if (predicted && actual) tp++;
    else if (predicted) fp++;
    else if (actual) fn++;
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

export function rmse(targets: ArrayLike<number>, predictions: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < targets.length; i++) sum += (targets[i] - predictions[i]) ** 2;
  return targets.length ? Math.sqrt(sum / targets.length) : Number.NaN;
}

export function mae(targets: ArrayLike<number>, predictions: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < targets.length; i++) sum += Math.abs(targets[i] - predictions[i]);
  return targets.length ? sum / targets.length : Number.NaN;
}

export interface CalibrationBin {
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** Reliability diagram over equal-width probability bins plus the expected calibration error. */
export function calibration(labels: ArrayLike<number>, probabilities: ArrayLike<number>, bins = 10): { bins: CalibrationBin[]; ece: number } {
  const sums = Array.from({ length: bins }, () => ({ count: 0, predicted: 0, observed: 0 }));
  for (let i = 0; i < labels.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(probabilities[i] * bins)));
    sums[b].count++;
    sums[b].predicted += probabilities[i];
    sums[b].observed += labels[i] >= 0.5 ? 1 : 0;
  }
  let ece = 0;
  const out = sums.map((s, b) => {
    const meanPredicted = s.count ? s.predicted / s.count : 0;
    const observedRate = s.count ? s.observed / s.count : 0;
    if (labels.length) ece += (s.count / labels.length) * Math.abs(meanPredicted - observedRate);
    return { lower: b / bins, upper: (b + 1) / bins, count: s.count, meanPredicted, observedRate };
  });
  return { bins: out, ece };
}

/*
 * Multiclass metrics take labels as class indices and probabilities row-major, `width` (the class
 * count) per row. A label at or past `width` is a class the model never saw in training: it is
 * always a mistake (the model cannot answer it), and it is given probability 0, clipped as above.
 */

/** Share of rows whose most probable class is the label (the first class on a tie). */
export function accuracy(labels: ArrayLike<number>, probabilities: ArrayLike<number>, width: number): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) if (argmaxOf(probabilities, i, width) === labels[i]) right++;
  return labels.length ? right / labels.length : Number.NaN;
}

/**
 * Unweighted mean of each class's F1 (2TP / (2TP + FP + FN)) over the classes that occur among
 * the labels or the predictions, as scikit-learn's `f1_score(average='macro')`: a rare class
 * counts as much as a common one.
 */
export function macroF1(labels: ArrayLike<number>, probabilities: ArrayLike<number>, width: number): number {
  const counts = new Map<number, { tp: number; fp: number; fn: number }>();
  const of = (k: number) => {
    let c = counts.get(k);
    if (!c) counts.set(k, (c = { tp: 0, fp: 0, fn: 0 }));
    return c;
  };
  for (let i = 0; i < labels.length; i++) {
    const predicted = argmaxOf(probabilities, i, width);
    const actual = labels[i];
    if (predicted === actual) of(actual).tp++;
    else {
      of(predicted).fp++;
      of(actual).fn++;
    }
  }
  if (counts.size === 0) return Number.NaN;
  let sum = 0;
  for (const { tp, fp, fn } of counts.values()) sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  return sum / counts.size;
}

/** Mean cross-entropy of the label's probability (clipped as binary log loss is). */
export function multiclassLogLoss(labels: ArrayLike<number>, probabilities: ArrayLike<number>, width: number): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i];
    const p = k >= 0 && k < width ? probabilities[i * width + k] : 0;
    sum -= Math.log(Math.min(1 - EPS, Math.max(EPS, p)));
  }
  return labels.length ? sum / labels.length : Number.NaN;
}

const HIGHER_IS_BETTER: Record<PrimaryMetric, boolean> = { auc: true, f1: true, accuracy: true, macro_f1: true, log_loss: false, rmse: false, mae: false };

export const higherIsBetter = (metric: PrimaryMetric): boolean => HIGHER_IS_BETTER[metric];

/**
 * The metrics every run reports for its task, keyed by the names specs use as primary metric.
 * `predictions` holds the model's outputs row-major (multiclass: one probability per class).
 */
export function evaluate(task: ModelTask, labels: ArrayLike<number>, predictions: ArrayLike<number>): Record<string, number> {
  const rows = labels.length;
  if (task === 'regression') return { rmse: rmse(labels, predictions), mae: mae(labels, predictions), rows };
  if (task === 'multiclass_classification') {
    const width = rows ? predictions.length / rows : 1;
    return { accuracy: accuracy(labels, predictions, width), macro_f1: macroF1(labels, predictions, width), log_loss: multiclassLogLoss(labels, predictions, width), rows };
  }
  return {
    auc: auc(labels, predictions),
    log_loss: logLoss(labels, predictions),
    f1: f1(labels, predictions),
    ece: calibration(labels, predictions).ece,
    rows,
  };
}
