import type { ModelSpec } from '@mlp/contracts';

/**
 * A complete, valid spec for tests (the platform declares no model itself): will a user order within
 * 7 days of an active day, labelled from two warehouse marts and an imported source.
 */
export const ORDER_WITHIN_7D_SPEC: ModelSpec = {
  name: 'order_within_7d',
  description: 'Probability that a user orders within 7 days of a day of activity (test fixture)',
  tags: { team: 'tests' },
  featureService: 'order_inputs',
  labelSource: {
    sql: `SELECT a.user_id,
       (a.activity_date + 1)::timestamptz AS event_timestamp,
       CASE WHEN EXISTS (
         SELECT 1 FROM dwh.mart_orders o
          WHERE o.user_id = a.user_id AND o.ordered_at >= (a.activity_date + 1)::timestamptz
            AND o.ordered_at < (a.activity_date + 1)::timestamptz + interval '7 days'
       ) THEN 1 ELSE 0 END AS label,
       t.p_order_7d AS true_probability
  FROM dwh.mart_user_activity_daily a
  LEFT JOIN dwh.src_true_propensity t ON t.user_id = a.user_id AND t.as_of_date = a.activity_date + 1`,
    joinKeys: ['user_id'],
    labelColumn: 'label',
    referenceScoreColumn: 'true_probability',
    labelDelayDays: 7,
  },
  task: 'binary_classification',
  algorithm: { kind: 'mlp', hiddenUnits: [16], dropout: 0.2, epochs: 60, batchSize: 256, learningRate: 0.003, l2: 0.001, earlyStopping: { patience: 6, minDelta: 0.0001 } },
  primaryMetric: 'auc',
  split: { lookbackDays: 90, holdoutDays: 14, validationFraction: 0.1 },
  promotion: { minAbsoluteImprovement: 0.002, minEvalRows: 500 },
  schedule: { cron: '0 3 * * *' },
  triggers: { martsRefreshed: ['dwh.mart_orders'], onDrift: true, minIntervalMinutes: 30 },
  seed: 20260101,
};
