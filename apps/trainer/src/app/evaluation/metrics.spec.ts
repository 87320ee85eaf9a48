import { auc, calibration, evaluate, f1, logLoss, mae, rmse } from './metrics';

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
});
