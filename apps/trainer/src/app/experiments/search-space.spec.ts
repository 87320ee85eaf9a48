import type { ModelSpec, SearchPlan } from '@mlp/contracts';
import { ORDER_WITHIN_7D_SPEC } from '../test-fixtures/model-spec-fixtures';
import { expandSearch, searchableParameters } from './search-space';

const LOGISTIC: ModelSpec = { ...ORDER_WITHIN_7D_SPEC, algorithm: { kind: 'logistic_regression', epochs: 20, batchSize: 64, learningRate: 0.05 } };
const plan = (over: Partial<SearchPlan>): SearchPlan => ({ strategy: 'grid', parameters: {}, budget: { maxTrials: 50 }, ...over });
const trials = (p: SearchPlan, spec: ModelSpec = LOGISTIC, seed = 1) => {
  const out = expandSearch(p, spec, seed);
  if (!out.ok) throw new Error(JSON.stringify(out.problems));
  return out.trials;
};
const problems = (p: SearchPlan, spec: ModelSpec = LOGISTIC) => {
  const out = expandSearch(p, spec, 1);
  return out.ok ? [] : out.problems.map((x) => [x.code, x.path]);
};

describe('search space expansion', () => {
  it('reads the searchable parameters of a kind from the algorithm contract', () => {
    expect([...searchableParameters('mlp').keys()].sort()).toEqual(['activation', 'batchSize', 'dropout', 'earlyStopping', 'epochs', 'hiddenUnits', 'l2', 'learningRate']);
    expect(searchableParameters('mlp').get('epochs')).toEqual({ integer: true, numeric: true });
    expect(searchableParameters('baseline').size).toBe(0);
  });

  it('expands a grid to every combination: values as listed, ranges as evenly spaced (log) points', () => {
    const grid = trials(plan({ parameters: { learningRate: { min: 0.001, max: 0.1, scale: 'log', count: 3 }, l2: { values: [0, 0.01] } } }));
    expect(grid).toEqual([
      { l2: 0, learningRate: 0.001 },
      { l2: 0, learningRate: 0.01 },
      { l2: 0, learningRate: 0.1 },
      { l2: 0.01, learningRate: 0.001 },
      { l2: 0.01, learningRate: 0.01 },
      { l2: 0.01, learningRate: 0.1 },
    ]);
  });

  it('rounds integer parameters and drops the repeats rounding makes', () => {
    expect(trials(plan({ parameters: { epochs: { min: 10, max: 11, count: 5 } } }))).toEqual([{ epochs: 10 }, { epochs: 11 }]);
  });

  it('draws a seeded random search: the same seed the same trials, inside the ranges, without repeats', () => {
    const p = plan({ strategy: 'random', parameters: { learningRate: { min: 0.001, max: 0.1, scale: 'log' }, batchSize: { min: 16, max: 256 } }, budget: { maxTrials: 12 } });
    const a = trials(p, LOGISTIC, 42);
    expect(a).toHaveLength(12);
    expect(trials(p, LOGISTIC, 42)).toEqual(a);
    expect(trials(p, LOGISTIC, 43)).not.toEqual(a);
    for (const t of a) {
      expect(t['learningRate']).toBeGreaterThanOrEqual(0.001);
      expect(t['learningRate']).toBeLessThanOrEqual(0.1);
      expect(Number.isInteger(t['batchSize'])).toBe(true);
      expect(t['batchSize']).toBeGreaterThanOrEqual(16);
      expect(t['batchSize']).toBeLessThanOrEqual(256);
    }
    expect(new Set(a.map((t) => JSON.stringify(t))).size).toBe(12);
    // A log scale spreads draws over the decades: some below 0.01 and some above.
    expect(a.some((t) => (t['learningRate'] as number) < 0.01) && a.some((t) => (t['learningRate'] as number) > 0.01)).toBe(true);
  });

  it('stops drawing when a small space has fewer distinct trials than the budget', () => {
    expect(trials(plan({ strategy: 'random', parameters: { l2: { values: [0, 0.1] } }, budget: { maxTrials: 10 } }))).toHaveLength(2);
  });

  it('refuses bad search plans with machine-readable codes', () => {
    expect(problems(plan({ parameters: { momentum: { values: [0.9] } } }))).toEqual([['UNKNOWN_SEARCH_PARAMETER', '$.plan.parameters.momentum']]);
    expect(problems(plan({ parameters: { kind: { values: ['mlp'] } } }))).toEqual([['UNKNOWN_SEARCH_PARAMETER', '$.plan.parameters.kind']]);
    expect(problems(plan({ parameters: { l2: { values: [] } } }))).toEqual([['EMPTY_SEARCH_RANGE', '$.plan.parameters.l2.values']]);
    expect(problems(plan({ parameters: { l2: { min: 0.2, max: 0.1 } } }))).toEqual([['EMPTY_SEARCH_RANGE', '$.plan.parameters.l2']]);
    expect(problems(plan({ parameters: { epochs: { min: 1.2, max: 1.8 } } }))).toEqual([['EMPTY_SEARCH_RANGE', '$.plan.parameters.epochs']]);
    expect(problems(plan({ parameters: { l2: { min: 0, max: 1, scale: 'log' } } }))).toEqual([['INVALID_SEARCH_RANGE', '$.plan.parameters.l2']]);
    expect(problems(plan({ parameters: {} }))).toEqual([['EMPTY_SEARCH_SPACE', '$.plan.parameters']]);
    expect(problems(plan({ parameters: { l2: { values: [0] } }, budget: {} }))).toEqual([['SEARCH_BUDGET_REQUIRED', '$.plan.budget']]);
    expect(problems(plan({ strategy: 'random', parameters: { l2: { values: [0] } }, budget: { maxSeconds: 60 } }))).toEqual([['SEARCH_BUDGET_REQUIRED', '$.plan.budget.maxTrials']]);
    expect(problems(plan({ parameters: { l2: { values: [0] } } }), { ...LOGISTIC, algorithm: { kind: 'baseline' } })).toEqual([['NOTHING_TO_SEARCH', '$.plan.parameters']]);
  });

  it('refuses a grid with more points than the budget, and trials the algorithm contract refuses', () => {
    const big = plan({ parameters: { learningRate: { min: 0.001, max: 0.1, count: 5 }, l2: { min: 0, max: 0.1, count: 4 } }, budget: { maxTrials: 19 } });
    const out = expandSearch(big, LOGISTIC, 1);
    expect(out).toMatchObject({ ok: false, problems: [{ code: 'GRID_EXCEEDS_BUDGET', path: '$.plan.budget.maxTrials' }] });
    expect(out.ok ? '' : out.problems[0].message).toMatch(/20 points/);
    expect(trials({ ...big, budget: { maxTrials: 20 } })).toHaveLength(20);
    expect(problems(plan({ parameters: { learningRate: { values: [0.1, 50] } } }))).toEqual([['INVALID_SEARCH_PARAMETER', '$.plan.parameters.learningRate']]);
    // Without maxTrials a grid is still capped at 200 trials.
    expect(problems(plan({ parameters: { epochs: { min: 1, max: 500, count: 100 }, l2: { min: 0, max: 1, count: 3 } }, budget: { maxSeconds: 60 } }))).toEqual([['GRID_EXCEEDS_BUDGET', '$.plan.parameters']]);
  });
});
