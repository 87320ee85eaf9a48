import { PlatformError } from '@mlp/runtime';
import { checkResultsTarget, defaultResultsTarget, missingColumns, publishStatements } from './batch-results-table';

describe('batch results tables', () => {
  const code = (f: () => void) => {
    try {
      f();
    } catch (err) {
      return [(err as PlatformError).status, (err as PlatformError).code];
    }
    return 'accepted';
  };

  it('takes only scores_ identifiers as table names, so nothing else of the warehouse can be written', () => {
    for (const table of ['scores_churn', 'scores_a1_b2', `scores_${'x'.repeat(56)}`]) expect(code(() => checkResultsTarget({ table, mode: 'append' }, 'user_id'))).toBe('accepted');
    for (const table of ['mart_users', 'events', 'prediction_log', 'scores_', 'Scores_x', 'scores_x-y', 'scores_x"; drop', `scores_${'x'.repeat(57)}`, 'serving.scores_x']) {
      expect([table, code(() => checkResultsTarget({ table, mode: 'replace' }, 'user_id'))]).toEqual([table, [400, 'INVALID_RESULTS_TABLE']]);
    }
  });

  it('refuses an entity key named like a column every results table has', () => {
    for (const key of ['score', 'run', 'model', 'as_of', 'loaded_at']) expect(code(() => checkResultsTarget({ table: 'scores_x', mode: 'append' }, key))).toEqual([400, 'RESULTS_KEY_CLASH']);
  });

  it('names the default table after the model, a hyphen made an underscore, replaced by each run', () => {
    expect(defaultResultsTarget('purchase-propensity')).toEqual({ table: 'scores_purchase_propensity', mode: 'replace' });
    expect(code(() => checkResultsTarget(defaultResultsTarget('a-b-c'), 'user_id'))).toBe('accepted');
  });

  it("lists the columns an existing table lacks for a job's rows", () => {
    const all = ['job_id', 'run', 'model', 'version', 'user_id', 'as_of', 'score', 'outputs', 'scored_at', 'loaded_at'];
    expect(missingColumns(all, 'user_id')).toEqual([]);
    expect(missingColumns(all, 'customer_id')).toEqual(['customer_id']);
    expect(missingColumns(['user_id', 'score'], 'user_id')).toEqual(['job_id', 'run', 'model', 'version', 'as_of', 'outputs', 'scored_at', 'loaded_at']);
  });

  it('empties the table before the run only in replace mode', () => {
    const deletes = (mode: 'create' | 'append' | 'replace') => publishStatements({ table: 'scores_x', mode }, 'user_id').filter((s) => s.startsWith('DELETE')).length;
    expect([deletes('create'), deletes('append'), deletes('replace')]).toEqual([0, 0, 1]);
    expect(() => publishStatements({ table: 'mart_x', mode: 'append' }, 'user_id')).toThrow('not a results table');
  });
});
