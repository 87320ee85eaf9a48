import type { ModelSpec } from '@mlp/contracts';
import { PURCHASE_PROPENSITY_SPEC } from './demo-model-specs';
import { specProblems } from './model-spec-rules';

const codes = (spec: ModelSpec) => specProblems(spec).map((p) => p.code);

describe('model spec rules', () => {
  it('accepts the demo purchase propensity spec', () => {
    expect(specProblems(PURCHASE_PROPENSITY_SPEC)).toEqual([]);
  });

  it('refuses a metric that does not fit the task', () => {
    expect(codes({ ...PURCHASE_PROPENSITY_SPEC, primaryMetric: 'rmse' })).toEqual(['METRIC_TASK_MISMATCH']);
    expect(codes({ ...PURCHASE_PROPENSITY_SPEC, task: 'regression' })).toEqual(['METRIC_TASK_MISMATCH']);
  });

  it('refuses a held-out window that leaves nothing to train on', () => {
    expect(codes({ ...PURCHASE_PROPENSITY_SPEC, split: { lookbackDays: 7, holdoutDays: 7 } })).toEqual(['INVALID_SPLIT']);
  });

  it('refuses label SQL that is not one SELECT over published marts', () => {
    const sql = (s: string) => codes({ ...PURCHASE_PROPENSITY_SPEC, labelSource: { ...PURCHASE_PROPENSITY_SPEC.labelSource, sql: s } });
    expect(sql('DELETE FROM dwh.mart_orders WHERE true')).toEqual(['INVALID_LABEL_SQL']);
    expect(sql('SELECT 1 FROM dwh.mart_orders; DROP TABLE dwh.mart_orders')).toEqual(['INVALID_LABEL_SQL']);
    expect(sql('SELECT user_id FROM registry.models')).toEqual(['LABEL_SQL_OUTSIDE_WAREHOUSE', 'INVALID_LABEL_SQL']);
    expect(sql('SELECT user_id, now() AS event_timestamp, 1 AS label FROM dwh.mart_orders;')).toEqual([]);
  });

  it('refuses an invalid cron schedule', () => {
    expect(codes({ ...PURCHASE_PROPENSITY_SPEC, schedule: { cron: '61 * * * *' } })).toEqual(['INVALID_CRON']);
  });

  it('refuses a label column that is also a join key', () => {
    expect(codes({ ...PURCHASE_PROPENSITY_SPEC, labelSource: { ...PURCHASE_PROPENSITY_SPEC.labelSource, labelColumn: 'user_id' } })).toEqual(['LABEL_IS_JOIN_KEY']);
  });
});
