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
  });

  it('refuses a held-out window that leaves nothing to train on', () => {
    expect(codes({ ...SPEC, split: { lookbackDays: 7, holdoutDays: 7 } })).toEqual(['INVALID_SPLIT']);
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
