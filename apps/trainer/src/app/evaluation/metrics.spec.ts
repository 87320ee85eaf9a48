import { accuracy, auc, calibration, evaluate, f1, higherIsBetter, logLoss, macroF1, mae, multiclassLogLoss, rmse } from './metrics';

describe('evaluation metrics', () => {
  it('computes AUC as the share of correctly ordered positive/negative pairs', () => {
    expect(auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 10);
    expect(auc([0, 1], [0.9, 0.1])).toBe(0);
    expect(auc([1, 0, 1, 0], [0.9, 0.1, 0.8, 0.2])).toBe(1);
  });

  it('counts tied scores as half a correct pair, so a constant model scores 0.5', () => {
    expect(auc([0, 1, 0, 1, 1], [0.3, 0.3, 0.3, 0.3, 0.3])).toBe(0.5);
    // pairs: (n=0.2,p=0.2) tie -> 0.5; (n=0.2,p=0.7) -> 1; (n=0.5,p=0.2) -> 0; (n=0.5,p=0.7) -> 1
    expect(auc([0, 1, 0, 1], [0.2, 0.2, 0.5, 0.7])).toBeCloseTo(2.5 / 4, 10);
  });

  it('answers NaN AUC when only one class is present rather than a misleading number', () => {
    expect(auc([1, 1], [0.2, 0.3])).toBeNaN();
  });

  it('computes log loss with clipping so a confident mistake is finite', () => {
    expect(logLoss([1, 0], [0.5, 0.5])).toBeCloseTo(Math.log(2), 10);
    expect(logLoss([1], [0])).toBeCloseTo(-Math.log(1e-15), 6);
  });

  it('computes F1 of the positive class at the threshold', () => {
    // tp=1 (0.9), fp=1 (0.6), fn=1 (0.2) -> 2/(2+1+1)
    expect(f1([1, 0, 1, 0], [0.9, 0.6, 0.2, 0.1])).toBeCloseTo(0.5, 10);
    expect(f1([0, 0], [0.1, 0.2])).toBe(0);
  });

  it('computes RMSE and MAE', () => {
    expect(rmse([1, 2, 3], [1, 2, 5])).toBeCloseTo(Math.sqrt(4 / 3), 10);
    expect(mae([1, 2, 3], [2, 2, 1])).toBeCloseTo(1, 10);
  });

  it('bins predictions for a reliability diagram and reports the expected calibration error', () => {
    const { bins, ece } = calibration([0, 1, 1, 1], [0.05, 0.05, 0.95, 0.95], 10);
    expect(bins[0]).toMatchObject({ count: 2, observedRate: 0.5 });
    expect(bins[9]).toMatchObject({ count: 2, observedRate: 1 });
    expect(ece).toBeCloseTo(0.5 * 0.45 + 0.5 * 0.05, 10);
  });

  it('reports the metrics of each task', () => {
    expect(Object.keys(evaluate('binary_classification', [0, 1], [0.2, 0.7])).sort()).toEqual(['auc', 'ece', 'f1', 'log_loss', 'rows']);
    expect(evaluate('regression', [1, 3], [1, 1])).toEqual({ rmse: Math.sqrt(2), mae: 1, rows: 2 });
  });
  describe('multiclass (labels are class indices, probabilities one row of 3 per label)', () => {
    const labels = [0, 1, 2, 2, 1];
    // predicted: 0 (right), 1 (right), 1 (wrong: 2), 2 (right), 0 (wrong: 1)
    const probabilities = [0.7, 0.2, 0.1, 0.1, 0.6, 0.3, 0.2, 0.5, 0.3, 0.1, 0.1, 0.8, 0.4, 0.3, 0.3];

    it('computes accuracy as the share of rows whose most probable class is the label', () => {
      expect(accuracy(labels, probabilities, 3)).toBeCloseTo(3 / 5, 12);
      // a tie goes to the first class
      expect(accuracy([0], [0.5, 0.5, 0], 3)).toBe(1);
    });

    it('computes macro F1 as the unweighted mean of per-class F1', () => {
      // class 0: tp 1, fp 1, fn 0 -> 2/3; class 1: tp 1, fp 1, fn 1 -> 1/2; class 2: tp 1, fp 0, fn 1 -> 2/3
      expect(macroF1(labels, probabilities, 3)).toBeCloseTo((2 / 3 + 1 / 2 + 2 / 3) / 3, 12);
    });

    it('computes multiclass log loss as the mean negative log probability of the label', () => {
      const expected = -(Math.log(0.7) + Math.log(0.6) + Math.log(0.3) + Math.log(0.8) + Math.log(0.3)) / 5;
      expect(multiclassLogLoss(labels, probabilities, 3)).toBeCloseTo(expected, 6);
      expect(expected).toBeCloseTo(0.6997182, 6);
    });

    it('counts a held-out class the model never saw as a mistake with probability 0 (clipped), never as missing', () => {
      const unseen = [0, 3];
      const p = [1, 0, 0, 0.5, 0.3, 0.2];
      expect(accuracy(unseen, p, 3)).toBe(0.5);
      // class 0: tp 1, fp 1 -> 2/3; class 3 (unseen): fn 1 -> 0
      expect(macroF1(unseen, p, 3)).toBeCloseTo(1 / 3, 12);
      expect(multiclassLogLoss(unseen, p, 3)).toBeCloseTo((-Math.log(1 - 1e-15) - Math.log(1e-15)) / 2, 6);
    });

    it('evaluates a multiclass task with its own metrics, the class count read from the output width', () => {
      const m = evaluate('multiclass_classification', Float32Array.from(labels), Float32Array.from(probabilities));
      expect(Object.keys(m).sort()).toEqual(['accuracy', 'log_loss', 'macro_f1', 'rows']);
      expect(m['accuracy']).toBeCloseTo(0.6, 6);
      expect(m['macro_f1']).toBeCloseTo(0.6111111, 6);
      expect(m['rows']).toBe(5);
      expect(higherIsBetter('accuracy')).toBe(true);
      expect(higherIsBetter('macro_f1')).toBe(true);
      expect(higherIsBetter('log_loss')).toBe(false);
    });
  });
});
