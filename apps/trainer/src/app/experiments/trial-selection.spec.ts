import type { TrialEvidence } from './trial-selection';
import { selectWinner, validationMetricOf } from './trial-selection';

const trial = (index: number, validation: number, test: number, status = 'succeeded'): TrialEvidence => ({
  index,
  runId: `run-${index}`,
  status,
  // `candidate` stands for test-row metrics a run might carry: selection must ignore them.
  metrics: { validation: { auc: validation, log_loss: 1 - validation }, candidate: { auc: test, log_loss: 1 - test } },
  crossValidation: null,
});

describe('trial selection', () => {
  it('picks the best validation metric even when another trial looks better on the test rows', () => {
    const trials = [trial(0, 0.71, 0.9), trial(1, 0.78, 0.7), trial(2, 0.74, 0.95)];
    expect(selectWinner(trials, 'auc')).toEqual({ index: 1, runId: 'run-1', validationMetric: 0.78 });
  });

  it('minimises metrics where lower is better', () => {
    const trials = [trial(0, 0.71, 0.9), trial(1, 0.78, 0.7)];
    expect(selectWinner(trials, 'log_loss')?.index).toBe(1);
    expect(selectWinner(trials, 'log_loss')?.validationMetric).toBeCloseTo(0.22, 10);
  });

  it('skips trials that did not succeed, breaks ties by the earlier trial, and answers null when nothing succeeded', () => {
    expect(selectWinner([trial(0, 0.9, 0.9, 'failed'), trial(2, 0.8, 0.5), trial(1, 0.8, 0.6)], 'auc')?.index).toBe(1);
    expect(selectWinner([trial(0, 0.9, 0.9, 'cancelled')], 'auc')).toBeNull();
  });

  it('selects by the mean over folds under cross-validation, not by the validation split or the test rows', () => {
    const cv = (index: number, mean: number): TrialEvidence => ({ ...trial(index, 0.99, 0.99), crossValidation: { metric: 'auc', folds: 5, values: [mean], mean, std: 0, foldRows: [80] } });
    expect(validationMetricOf(cv(0, 0.61), 'auc')).toBe(0.61);
    expect(selectWinner([cv(0, 0.61), cv(1, 0.66), trial(2, 0.64, 0.99)], 'auc')?.index).toBe(1);
  });

  it('has no selection score for a run that only carries test-row metrics', () => {
    expect(validationMetricOf({ metrics: { candidate: { auc: 0.9 } }, crossValidation: null }, 'auc')).toBeNull();
  });
});
