import type { ModelSpec } from '@mlp/contracts';

/**
 * The demo model, applied from code at start: will a user place an order in the 7 days after a day
 * of activity? One row per user and active day (event time: end of that day, as the feature store
 * stamps daily activity), label from the orders mart.
 */
export const PURCHASE_PROPENSITY_SPEC: ModelSpec = {
  name: 'purchase_propensity',
  description: 'Probability that a user places an order within 7 days of a day of activity',
  tags: { team: 'growth', use: 'real-time personalisation' },
  featureService: 'purchase_propensity',
  labelSource: {
    sql: `SELECT a.user_id,
       (a.activity_date + 1)::timestamptz AS event_timestamp,
       CASE WHEN EXISTS (
         SELECT 1 FROM dwh.mart_orders o
          WHERE o.user_id = a.user_id
            AND o.ordered_at >= (a.activity_date + 1)::timestamptz
            AND o.ordered_at < (a.activity_date + 1)::timestamptz + interval '7 days'
       ) THEN 1 ELSE 0 END AS label,
       t.p_order_7d AS true_probability
  FROM dwh.mart_user_activity_daily a
  LEFT JOIN dwh.mart_true_propensity t ON t.user_id = a.user_id AND t.as_of_date = a.activity_date + 1`,
    joinKeys: ['user_id'],
    labelColumn: 'label',
    // The demo's ground truth when it was imported (null for real data): the yardstick of every run.
    referenceScoreColumn: 'true_probability',
    labelDelayDays: 7,
  },
  task: 'binary_classification',
  // A small, regularised network: the inputs already carry the signal on a near-additive scale
  // (smoothed log rates), so capacity beyond this overfits a few thousand users.
  algorithm: {
    kind: 'mlp',
    hiddenUnits: [16],
    dropout: 0.2,
    epochs: 60,
    batchSize: 256,
    learningRate: 0.003,
    l2: 0.001,
    earlyStopping: { patience: 6, minDelta: 0.0001 },
  },
  primaryMetric: 'auc',
  split: { lookbackDays: 90, holdoutDays: 14, validationFraction: 0.1 },
  promotion: { minAbsoluteImprovement: 0.002, minEvalRows: 500 },
  schedule: { cron: '0 3 * * *' },
  triggers: { martsRefreshed: ['dwh.mart_orders'], onDrift: true, minIntervalMinutes: 30 },
  seed: 20260101,
};

export const DEMO_MODEL_SPECS: ModelSpec[] = [PURCHASE_PROPENSITY_SPEC];
