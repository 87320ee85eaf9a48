import type { ApplyRequest } from '@mlp/contracts';

/**
 * The platform's demo definitions, applied from code at start: what the trainer's purchase
 * propensity model uses. Rolling windows are computed in the source over the daily mart; a row's
 * values are as of the end of that activity day (`activity_date + 1`, UTC), so a training row at
 * time T sees the windows of the last active day before T (within the 2-day ttl, else null).
 */
export const DEMO_DEFINITIONS: ApplyRequest = {
  entities: [{ name: 'user', join_key: 'user_id', value_type: 'string', description: 'A product user (Segment userId)' }],
  feature_views: [
    {
      name: 'user_activity',
      entities: ['user'],
      features: [
        { name: 'page_views_7d', type: 'int64' },
        { name: 'product_views_7d', type: 'int64' },
        { name: 'add_to_carts_7d', type: 'int64' },
        { name: 'orders_7d', type: 'int64' },
        { name: 'orders_28d', type: 'int64' },
        { name: 'checkouts_28d', type: 'int64' },
        { name: 'revenue_7d', type: 'float64' },
        { name: 'revenue_28d', type: 'float64' },
        { name: 'active_days_28d', type: 'int64' },
        { name: 'orders_56d', type: 'int64' },
        { name: 'product_views_28d', type: 'int64' },
        { name: 'active_days_56d', type: 'int64' },
        { name: 'tenure_days', type: 'int64' },
      ],
      source: {
        // Tenure is measured at each row's own time (joined from the profile), so training rows
        // in the past see the tenure the user had then, exactly as serving sees it now.
        sql: `SELECT a.user_id,
                (a.activity_date + 1)::timestamp AT TIME ZONE 'UTC' AS event_timestamp,
                sum(a.page_views) OVER w7 AS page_views_7d,
                sum(a.product_views) OVER w7 AS product_views_7d,
                sum(a.add_to_carts) OVER w7 AS add_to_carts_7d,
                sum(a.orders) OVER w7 AS orders_7d,
                sum(a.orders) OVER w28 AS orders_28d,
                sum(a.checkouts) OVER w28 AS checkouts_28d,
                sum(a.revenue) OVER w7 AS revenue_7d,
                sum(a.revenue) OVER w28 AS revenue_28d,
                count(*) OVER w28 AS active_days_28d,
                sum(a.orders) OVER w56 AS orders_56d,
                sum(a.product_views) OVER w28 AS product_views_28d,
                count(*) OVER w56 AS active_days_56d,
                (a.activity_date + 1) - p.signup_date AS tenure_days
              FROM dwh.mart_user_activity_daily a
              LEFT JOIN dwh.mart_user_profile p ON p.user_id = a.user_id
              WINDOW w7 AS (PARTITION BY a.user_id ORDER BY a.activity_date RANGE BETWEEN interval '6 days' PRECEDING AND CURRENT ROW),
                     w28 AS (PARTITION BY a.user_id ORDER BY a.activity_date RANGE BETWEEN interval '27 days' PRECEDING AND CURRENT ROW),
                     w56 AS (PARTITION BY a.user_id ORDER BY a.activity_date RANGE BETWEEN interval '55 days' PRECEDING AND CURRENT ROW)`,
      },
      ttl_seconds: 2 * 86400,
      online: true,
      freshness_sla_seconds: 2 * 86400,
      description: 'Rolling 7/28/56-day activity and revenue per user and tenure, from dwh.mart_user_activity_daily',
      owner: 'data-platform',
      tags: { team: 'growth', source: 'dwh.mart_user_activity_daily' },
    },
    {
      name: 'user_profile',
      entities: ['user'],
      features: [
        { name: 'country', type: 'string' },
        { name: 'plan', type: 'string' },
      ],
      source: {
        // Valid from signup: stamping the profile with its refresh time would hide it from every
        // training row in the past (a point-in-time join finds nothing before "now") and the
        // model would learn without the attributes it is served with.
        sql: `SELECT user_id, signup_date::timestamp AT TIME ZONE 'UTC' AS event_timestamp, country, plan
              FROM dwh.mart_user_profile`,
      },
      // Valid from signup for as long as the user exists: only a changed profile replaces it.
      ttl_seconds: 3650 * 86400,
      online: true,
      description: 'Country and plan of each user, valid from signup',
      owner: 'data-platform',
      tags: { team: 'growth', source: 'dwh.mart_user_profile' },
    },
  ],
  feature_services: [
    {
      name: 'purchase_propensity',
      features: [
        'user_activity:page_views_7d',
        'user_activity:product_views_7d',
        'user_activity:add_to_carts_7d',
        'user_activity:orders_7d',
        'user_activity:orders_28d',
        'user_activity:checkouts_28d',
        'user_activity:revenue_7d',
        'user_activity:revenue_28d',
        'user_activity:active_days_28d',
        'user_activity:orders_56d',
        'user_activity:product_views_28d',
        'user_activity:active_days_56d',
        'user_activity:tenure_days',
        'user_profile:country',
        'user_profile:plan',
      ],
      description: 'Inputs of the purchase propensity model (trainer and model-serving)',
      owner: 'data-science',
    },
  ],
};
