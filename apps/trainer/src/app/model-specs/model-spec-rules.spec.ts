import type { ModelSpec } from '@mlp/contracts';
import { ORDER_WITHIN_7D_SPEC as SPEC } from '../test-fixtures/model-spec-fixtures';
import { specProblems } from './model-spec-rules';

const codes = (spec: ModelSpec) => specProblems(spec).map((p) => p.code);

describe('model spec rules', () => {
  it('accepts a complete spec', () => {
    expect(specProblems(SPEC)).toEqual([]);
  });

  it('refuses a metric that does not fit the task', () => {
    expect(codes({ ...SPEC, primaryMetric: 'rmse' })).toEqual(['METRIC_TASK_MISMATCH']);
    expect(codes({ ...SPEC, task: 'regression' })).toEqual(['METRIC_TASK_MISMATCH']);
    // multiclass takes accuracy, macro F1 and (multiclass) log loss, not the binary AUC or F1
    const { referenceScoreColumn: _none, ...labelSource } = SPEC.labelSource;
    const multiclass = { ...SPEC, labelSource, task: 'multiclass_classification' as const };
    expect(codes(multiclass)).toEqual(['METRIC_TASK_MISMATCH']);
    expect(codes({ ...multiclass, primaryMetric: 'f1' })).toEqual(['METRIC_TASK_MISMATCH']);
    for (const m of ['accuracy', 'macro_f1', 'log_loss'] as const) expect(codes({ ...multiclass, primaryMetric: m })).toEqual([]);
    expect(codes({ ...SPEC, primaryMetric: 'accuracy' })).toEqual(['METRIC_TASK_MISMATCH']);
  });

  it('refuses a reference score column for a multiclass model (one number per row cannot be compared with class probabilities)', () => {
    const multiclass = { ...SPEC, task: 'multiclass_classification' as const, primaryMetric: 'accuracy' as const };
    expect(codes({ ...multiclass, labelSource: { ...SPEC.labelSource, referenceScoreColumn: 'true_probability' } })).toEqual(['REFERENCE_SCORE_UNSUPPORTED']);
  });

  it('refuses a held-out window that leaves nothing to train on', () => {
    expect(codes({ ...SPEC, split: { lookbackDays: 7, holdoutDays: 7 } })).toEqual(['INVALID_SPLIT']);
  });

  it('takes k folds or a validation share, not both; early stopping may stop on the folds', () => {
    expect(codes({ ...SPEC, split: { kind: 'random', testFraction: 0.2, folds: 5, validationFraction: 0.1 } })).toEqual(['INVALID_SPLIT']);
    expect(codes({ ...SPEC, split: { kind: 'random', testFraction: 0.2, folds: 5 } })).toEqual([]);
    expect(codes({ ...SPEC, split: { kind: 'random', testFraction: 0.2, folds: 5, validationFraction: 0 } })).toEqual([]);
    expect(codes({ ...SPEC, split: { kind: 'random', testFraction: 0.2, validationFraction: 0 } })).toEqual(['EARLY_STOPPING_WITHOUT_VALIDATION']);
  });

  it('checks a declared search when the spec is declared', () => {
    const search = { strategy: 'grid' as const, parameters: { learningRate: { values: [0.001, 0.01] } }, budget: { maxTrials: 4 } };
    expect(codes({ ...SPEC, search })).toEqual([]);
    expect(specProblems({ ...SPEC, search: { ...search, parameters: { momentum: { values: [0.9] } } } }).map((p) => [p.code, p.path])).toEqual([['UNKNOWN_SEARCH_PARAMETER', '$.search.parameters.momentum']]);
    expect(codes({ ...SPEC, search: { ...search, budget: { maxTrials: 1 } } })).toEqual(['GRID_EXCEEDS_BUDGET']);
    expect(codes({ ...SPEC, split: { lookbackDays: 90, holdoutDays: 14, validationFraction: 0 }, algorithm: { kind: 'logistic_regression', epochs: 5, batchSize: 8, learningRate: 0.1 }, search })).toEqual(['TRIAL_WITHOUT_VALIDATION']);
  });

  const labelSql = (s: string) => codes({ ...SPEC, labelSource: { ...SPEC.labelSource, sql: s } });

  it('refuses label SQL that is not one SELECT', () => {
    expect(labelSql('DELETE FROM dwh.mart_orders WHERE true')).toEqual(['INVALID_LABEL_SQL']);
    expect(labelSql('SELECT 1 FROM dwh.mart_orders; DROP TABLE dwh.mart_orders')).toEqual(['INVALID_LABEL_SQL']);
    expect(labelSql('SELECT user_id, now() AS event_timestamp, 1 AS label FROM dwh.mart_orders;')).toEqual([]);
  });

  it('accepts label SQL over any warehouse relation (marts, imported sources, models), not only marts', () => {
    expect(labelSql('SELECT user_id, ts AS event_timestamp, converted AS label FROM dwh.src_crm_leads')).toEqual([]);
    expect(labelSql('SELECT user_id, ts AS event_timestamp, churned AS label FROM dwh.customer_churn_labels')).toEqual([]);
    expect(labelSql('WITH l AS (SELECT * FROM dwh.src_crm_leads) SELECT l.user_id, l.ts AS event_timestamp, l.converted AS label FROM l JOIN dwh.mart_orders o USING (user_id)')).toEqual([]);
  });

  it('refuses label SQL that reads another schema, or no warehouse relation at all', () => {
    expect(labelSql('SELECT user_id FROM registry.models')).toEqual(['LABEL_SQL_OUTSIDE_WAREHOUSE', 'INVALID_LABEL_SQL']);
    expect(labelSql('SELECT a.user_id, a.ts AS event_timestamp, a.label FROM dwh.src_leads a JOIN features.entities e ON true')).toEqual(['LABEL_SQL_OUTSIDE_WAREHOUSE']);
    expect(labelSql("SELECT 'u1' AS user_id, now() AS event_timestamp, 1 AS label")).toEqual(['INVALID_LABEL_SQL']);
  });

  it('refuses an invalid cron schedule', () => {
    expect(codes({ ...SPEC, schedule: { cron: '61 * * * *' } })).toEqual(['INVALID_CRON']);
  });

  it('refuses a rule that does not parse or leaves the rule grammar, naming the problem; accepts a rule over feature names', () => {
    const rule = (expression: string) => specProblems({ ...SPEC, algorithm: { kind: 'rule', expression } });
    expect(rule('page_views_7d > 20 || orders_30d >= 3')).toEqual([]);
    expect(rule('page_views_7d >')).toMatchObject([{ path: '$.algorithm.expression', code: 'RULE_SYNTAX_ERROR' }]);
    expect(rule('process.exit(1)')).toMatchObject([{ code: 'RULE_CONSTRUCT_NOT_ALLOWED', message: expect.stringContaining('function call') }]);
    expect(rule('constructor.name')).toMatchObject([{ code: 'RULE_CONSTRUCT_NOT_ALLOWED', message: expect.stringContaining('member access') }]);
  });

  it('refuses a label column that is also a join key', () => {
    expect(codes({ ...SPEC, labelSource: { ...SPEC.labelSource, labelColumn: 'user_id' } })).toEqual(['LABEL_IS_JOIN_KEY']);
  });
});
