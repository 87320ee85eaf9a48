import type { ModelKind } from '@mlp/model-runtime';
import { ORDER_WITHIN_7D_SPEC as SPEC } from '../test-fixtures/model-spec-fixtures';
import { specProblems } from './model-spec-rules';

// A kind that trains only some tasks (every kind today trains all three): the baseline stands in
// for one that declares binary classification and regression only.
jest.mock('@mlp/model-runtime', () => {
  const actual = jest.requireActual('@mlp/model-runtime');
  return {
    ...actual,
    kindForAlgorithm: (algorithm: string): ModelKind => {
      const kind = actual.kindForAlgorithm(algorithm) as ModelKind;
      return algorithm === 'baseline' ? { ...kind, tasks: ['binary_classification', 'regression'] } : kind;
    },
  };
});

describe('model spec rules: tasks a kind trains', () => {
  it('refuses a spec pairing an algorithm with a task its kind does not train, naming the ones it does', () => {
    const { referenceScoreColumn: _none, ...labelSource } = SPEC.labelSource;
    const multiclass = { ...SPEC, labelSource, task: 'multiclass_classification' as const, primaryMetric: 'accuracy' as const };
    const problems = specProblems({ ...multiclass, algorithm: { kind: 'baseline' } });
    expect(problems).toEqual([{ path: '$.algorithm.kind', code: 'ALGORITHM_TASK_MISMATCH', message: 'baseline does not train multiclass_classification models (it trains binary_classification, regression)' }]);
    expect(specProblems({ ...SPEC, algorithm: { kind: 'baseline' } })).toEqual([]);
    expect(specProblems(multiclass)).toEqual([]);
  });
});
